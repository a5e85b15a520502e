/**
 * The index sampler of sparse STDE / SDGD (sampling/directions.ts): R distinct integers in [0, d),
 * every index equally likely, on both of its paths — partial Fisher–Yates (4R > d) and rejection
 * of repeats (4R ≤ d, the default at large d).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sampleIndices } from '../sampling/directions.ts';
import { rngFromSeed } from '../sampling/rng.ts';

const cases = [
  { d: 6, R: 4, draws: 5000, bins: 6, path: 'Fisher–Yates' },
  { d: 100, R: 5, draws: 5000, bins: 100, path: 'rejection' },
  { d: 1_000_000, R: 16, draws: 2000, bins: 100, path: 'rejection' }, // 10⁴ indices a bin
];

for (const { d, R, draws, bins, path } of cases) {
  test(`sampleIndices (d = ${d}, R = ${R}, ${path}): R distinct integers in [0, d), uniform marginals`, () => {
    const counts = new Array(bins).fill(0);
    const rng = rngFromSeed(`indices-${d}-${R}`);
    for (let s = 0; s < draws; s++) {
      const I = sampleIndices(d, R, rng.child(s));
      assert.equal(I.length, R, `draw ${s}: ${I}`);
      assert.equal(new Set(I).size, R, `draw ${s} repeats an index: ${I}`);
      for (const i of I) {
        assert.ok(Number.isInteger(i) && i >= 0 && i < d, `draw ${s}: index ${i} outside [0, ${d})`);
        counts[Math.floor((i * bins) / d)]++;
      }
    }
    // How many of a draw's R indices fall in a bin of q·d indices is hypergeometric: mean R·q,
    // variance R·q(1 − q)(d − R)/(d − 1). Each bin's squared deviation over its variance has mean 1,
    // and the sum over the bins is ≈ (B/(B − 1))·χ²_{B−1}: a uniform sampler exceeds B + 12√(2B)
    // with probability < 10⁻⁶ (the seeds are fixed, so the test is not flaky either way).
    const q = 1 / bins;
    const mean = draws * R * q;
    const variance = (draws * R * q * (1 - q) * (d - R)) / (d - 1);
    const stat = counts.reduce((acc, c) => acc + (c - mean) ** 2 / variance, 0);
    assert.ok(stat < bins + 12 * Math.sqrt(2 * bins), `χ²-like statistic ${stat.toFixed(1)} over ${bins} bins: counts ${counts}`);
  });
}
