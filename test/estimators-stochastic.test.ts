/**
 * Every stochastic estimator is unbiased: the mean of ≥ 2000 independent draws lies within 4
 * standard errors of the exact Laplacian, at every point.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { setup, randomModel, randomPoints, values, meanAndError } from './helpers.ts';
import { ESTIMATORS } from '../operators/registry.ts';
import { forwardLaplacian } from '../baselines/forward-laplacian.ts';
import { zeroBoundaryBall, type Target } from '../operators/target.ts';
import { rngFromSeed } from '../sampling/rng.ts';
import { PROBE_DISTS, type ProbeDist } from '../sampling/directions.ts';

before(setup);

const DRAWS = 2000;
const d = 6;
const model = randomModel({ dim: d, width: 8, depth: 2 }, 21);
const target: Target = { model, ansatz: zeroBoundaryBall(d) };
const x = randomPoints(3, d, 4, 0.4);
const base = { target, x, d };
const exact = values(forwardLaplacian.laplacian({ ...base, R: 0, dist: 'rademacher', rng: rngFromSeed(0) }).value);

const runs: { name: string; R: number; dist: ProbeDist }[] = [];
for (const e of ESTIMATORS) {
  if (e.sampling === 'exact') continue;
  if (e.sampling === 'probes') for (const dist of PROBE_DISTS) runs.push({ name: e.name, R: 2, dist });
  else runs.push({ name: e.name, R: 2, dist: 'rademacher' });
}

for (const r of runs) {
  test(`${r.name} (R = ${r.R}${ESTIMATORS.find((x) => x.name === r.name)!.sampling === 'probes' ? `, ${r.dist}` : ''}) is unbiased`, async () => {
    const e = ESTIMATORS.find((x) => x.name === r.name)!;
    const rng = rngFromSeed(`unbiased-${r.name}-${r.dist}`);
    const draws: number[][] = [];
    for (let s = 0; s < DRAWS; s++) {
      draws.push(tf.tidy(() => values(e.laplacian({ ...base, R: r.R, dist: r.dist, rng: rng.child(s) }).value)));
      // Let the event loop turn now and then (webgpu frees per-kernel GPU objects only then).
      if (s % 100 === 99) await new Promise((r) => setImmediate(r));
    }
    let spread = 0;
    for (let p = 0; p < exact.length; p++) {
      const { mean, se } = meanAndError(draws.map((v) => v[p]));
      spread = Math.max(spread, se);
      assert.ok(Math.abs(mean - exact[p]) <= 4 * se + 1e-5, `point ${p}: mean ${mean} vs exact ${exact[p]} (se ${se})`);
    }
    assert.ok(spread > 0, 'the estimator must actually be random at R < d');
  });
}
