/**
 * Two-sided Mann–Whitney U test, as asv uses it to decide whether two sets of timing samples differ.
 * U comes from simple-statistics' rank sum (average ranks for ties); the p-value from the normal
 * approximation with tie and continuity corrections (scipy's `mannwhitneyu(method="asymptotic")`),
 * which is accurate for the hundreds of per-step samples a cell records. simple-statistics has no
 * p-value for this test, and no well-kept npm package provides one.
 */
import { wilcoxonRankSum, errorFunction } from 'simple-statistics';

export interface MannWhitney {
  /** U of the first sample. */
  u: number;
  z: number;
  p: number;
}

/** Σ (t³ − t) over groups of tied values: the variance's tie correction. */
function tieTerm(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  let sum = 0;
  for (let i = 0; i < sorted.length; ) {
    let j = i + 1;
    while (j < sorted.length && sorted[j] === sorted[i]) j++;
    const t = j - i;
    sum += t * t * t - t;
    i = j;
  }
  return sum;
}

/** P(Z > z) for a standard normal Z (simple-statistics' erf: relative error below 1e-6 in the tail). */
const upperTail = (z: number): number => 0.5 * (1 - errorFunction(z / Math.SQRT2));

export function mannWhitneyU(x: readonly number[], y: readonly number[]): MannWhitney {
  const n1 = x.length;
  const n2 = y.length;
  if (n1 === 0 || n2 === 0) throw new Error('Mann–Whitney U needs two non-empty samples');
  const u = wilcoxonRankSum(x, y) - (n1 * (n1 + 1)) / 2;
  const n = n1 + n2;
  const mu = (n1 * n2) / 2;
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm([...x, ...y]) / (n * (n - 1)));
  if (variance <= 0) return { u, z: 0, p: 1 }; // every value tied: no evidence of a difference
  const diff = Math.abs(u - mu);
  const z = Math.max(0, diff - 0.5) / Math.sqrt(variance);
  return { u, z: Math.sign(u - mu) * z, p: Math.min(1, 2 * upperTail(z)) };
}
