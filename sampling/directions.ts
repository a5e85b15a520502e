/**
 * Random directions shared by every estimator: the index set of sparse STDE / SDGD and the probe
 * vectors of dense STDE (method.md §4, §6). Drawn once per call and shared by all points.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from './rng.ts';
import { UsageError } from '../engine/errors.ts';

/** The probe laws (E[vvᵀ] = I); `sampleProbes` draws each. A law added here is every probe estimator's `--dist`. */
export const PROBE_DISTS = ['rademacher', 'gaussian'] as const;
export type ProbeDist = (typeof PROBE_DISTS)[number];

/** R indices from {0…d−1}, uniform without replacement; R = 0 means all d (exact). */
export function sampleIndices(d: number, R: number, rng: Rng): number[] {
  if (R < 0 || !Number.isInteger(R)) throw new UsageError(`R must be a non-negative integer, got ${R}`);
  if (R > d) throw new UsageError(`R = ${R} exceeds the dimension d = ${d}`);
  if (R === 0 || R === d) return [...Array(d).keys()];
  if (R * 4 > d) {
    // Dense case: partial Fisher–Yates.
    const all = [...Array(d).keys()];
    for (let i = 0; i < R; i++) {
      const j = i + Math.floor(rng.uniform() * (d - i));
      [all[i], all[j]] = [all[j], all[i]];
    }
    return all.slice(0, R);
  }
  const picked = new Set<number>();
  const out: number[] = [];
  while (out.length < R) {
    const i = Math.floor(rng.uniform() * d);
    if (!picked.has(i)) {
      picked.add(i);
      out.push(i);
    }
  }
  return out;
}

/** The SDGD / sparse-STDE correction d/R (1 when all dimensions are used). */
export function samplingFactor(d: number, R: number): number {
  return R === 0 ? 1 : d / R;
}

/** R full-dimensional probes v with E[v vᵀ] = I, shape [R, d]. */
export function sampleProbes(d: number, R: number, dist: ProbeDist, rng: Rng): tf.Tensor2D {
  if (R <= 0) throw new UsageError('dense STDE needs R > 0 probe vectors (R = 0 has no meaning for random probes)');
  const seed = rng.int31();
  if (dist === 'gaussian') return tf.randomNormal([R, d], 0, 1, 'float32', seed);
  if (dist === 'rademacher') {
    return tf.tidy(() => tf.sub(tf.mul(tf.cast(tf.less(tf.randomUniform([R, d], 0, 1, 'float32', seed), 0.5), 'float32'), 2), 1));
  }
  throw new UsageError(`unknown probe distribution '${dist}' (expected one of: ${PROBE_DISTS.join(', ')})`);
}
