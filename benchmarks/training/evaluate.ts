/**
 * The evaluation protocol (pdes.md §10). Test points come from the same sampler as training and
 * from the run's 'test' stream, regenerated batch by batch at every evaluation (the same points
 * each time) and never held as one [M, d] array, so evaluating at d = 10⁶ fits in memory. The
 * exact or reference values of each batch (M numbers) are computed once and cached.
 *
 * Metrics: relative L2 = ‖u_θ − u*‖₂/‖u*‖₂ and relative L1 = Σ|u_θ − u*|/Σ|u*| over the test set;
 * for a point reference (semilinear) both equal |u_θ − u_ref|/|u_ref| at that point.
 */
import * as tf from '@tensorflow/tfjs';
import type { Problem } from '../pdes/pde.ts';
import type { Rng } from '../../sampling/rng.ts';
import { perBlock } from '../../engine/row-blocks.ts';
import { evalTarget, type Target } from '../../operators/target.ts';

export interface Errors {
  rel_l2: number;
  rel_l1: number;
}

export interface Evaluator {
  /** What is measured, for the record. */
  metric: string;
  evaluate(target: Target): Errors;
}

/** The published test batch: the test set is drawn in chunks of this many points, one stream each. */
const TEST_CHUNK = 200;

/** Points per test batch: the published 200, fewer when one [batch, d] tensor would exceed the row-block budget. */
export function testBatchSize(inputWidth: number): number {
  return Math.min(TEST_CHUNK, perBlock(inputWidth));
}

/** null when the problem has nothing to compare with (speed-only PDEs). */
export function makeEvaluator(problem: Problem, rng: Rng, testPoints: number): Evaluator | null {
  const ref = problem.pointReference;
  if (ref) {
    return {
      metric: `relative L1 error of u(x = 0, t = 0) against the published reference ${ref.value}`,
      evaluate(target) {
        const u = tf.tidy(() => evalTarget(target, tf.tensor2d([ref.point])).dataSync()[0]) / ref.outputScale;
        const e = Math.abs(u - ref.value) / Math.abs(ref.value);
        return { rel_l2: e, rel_l1: e };
      },
    };
  }
  const solution = problem.exact
    ? (x: tf.Tensor2D) => problem.exact!(x).primal as tf.Tensor1D
    : problem.reference;
  if (!solution || testPoints <= 0) return null;
  const { domain } = problem;
  const batch = testBatchSize(domain.d + domain.extraInputs);
  // Chunks of 200 points, each from its own stream, evaluated `batch` rows at a time: the batch follows
  // the device's budget (wasm's heap: 104 points at d = 10⁴, one at 10⁶), the test set does not. A
  // domain that cannot draw part of a chunk draws chunks of `batch` points instead.
  const chunk = domain.interiorRows ? TEST_CHUNK : batch;
  const pieces: { c: number; n: number; start: number; rows: number }[] = [];
  for (let c = 0; c * chunk < testPoints; c++) {
    const n = Math.min(chunk, testPoints - c * chunk);
    for (let start = 0; start < n; start += batch) pieces.push({ c, n, start, rows: Math.min(batch, n - start) });
  }
  const draw = ({ c, n, start, rows }: (typeof pieces)[number]) =>
    rows === n ? domain.interior(n, rng.child(c)) : domain.interiorRows!(n, rng.child(c), start, rows);
  const cache: Float32Array[] = [];
  return {
    metric: `relative L2/L1 over ${testPoints} test points (${problem.exact ? 'exact solution' : 'reference solution'}), ${chunk === batch ? `batches of ${Math.min(batch, testPoints)}` : `chunks of ${Math.min(chunk, testPoints)} evaluated ${Math.min(batch, testPoints)} at a time`}`,
    evaluate(target) {
      let se = 0, s2 = 0, ae = 0, a1 = 0;
      pieces.forEach((piece, k) => {
        const n = piece.rows;
        const [u, ue] = tf.tidy(() => {
          const x = draw(piece);
          cache[k] ??= solution(x).dataSync() as Float32Array;
          return [evalTarget(target, x).dataSync(), cache[k]];
        });
        for (let i = 0; i < n; i++) {
          const e = u[i] - ue[i];
          se += e * e;
          s2 += ue[i] * ue[i];
          ae += Math.abs(e);
          a1 += Math.abs(ue[i]);
        }
      });
      return { rel_l2: Math.sqrt(se / s2), rel_l1: ae / a1 };
    },
  };
}
