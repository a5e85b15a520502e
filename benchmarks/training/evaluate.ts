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

/** Points per test batch: the published 200, fewer when one [batch, d] tensor would exceed the row-block budget. */
export function testBatchSize(inputWidth: number): number {
  return Math.min(200, perBlock(inputWidth));
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
  const batches = Math.ceil(testPoints / batch);
  const cache: Float32Array[] = [];
  return {
    metric: `relative L2/L1 over ${testPoints} test points (${problem.exact ? 'exact solution' : 'reference solution'}), batches of ${batch}`,
    evaluate(target) {
      let se = 0, s2 = 0, ae = 0, a1 = 0;
      for (let b = 0; b < batches; b++) {
        const n = Math.min(batch, testPoints - b * batch);
        const [u, ue] = tf.tidy(() => {
          const x = domain.interior(n, rng.child(b));
          cache[b] ??= solution(x).dataSync() as Float32Array;
          return [evalTarget(target, x).dataSync(), cache[b]];
        });
        for (let i = 0; i < n; i++) {
          const e = u[i] - ue[i];
          se += e * e;
          s2 += ue[i] * ue[i];
          ae += Math.abs(e);
          a1 += Math.abs(ue[i]);
        }
      }
      return { rel_l2: Math.sqrt(se / s2), rel_l1: ae / a1 };
    },
  };
}
