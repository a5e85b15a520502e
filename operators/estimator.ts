/**
 * The plug-in interface every Laplacian estimator implements (STDE family in estimators/, the
 * rest in baselines/). SDGD is not a separate code path: it is any estimator run with R > 0
 * sampled dimensions, corrected by d/R (sampling/directions.ts).
 */
import type * as tf from '@tensorflow/tfjs';
import type { Target } from './target.ts';
import type { Rng } from '../sampling/rng.ts';
import type { ProbeDist } from '../sampling/directions.ts';

export interface LaplacianRequest {
  target: Target;
  /** Points [N, d + extra]; the operator acts on the first d coordinates. */
  x: tf.Tensor2D;
  /** Spatial dimension d. */
  d: number;
  /** Sampled dimensions (sparse / SDGD) or probe count (dense); 0 = all d, exact. */
  R: number;
  /** Probe distribution for dense estimators. */
  dist: ProbeDist;
  /** Stream for this call's index set / probes. */
  rng: Rng;
  /**
   * A fixed subset of the sampled dimensions, drawn by the caller (operators/checkpoint.ts evaluates
   * an index set in chunks); the d/R correction still uses R.
   */
  indices?: number[];
  /** A fixed subset of the probes, [R', d], drawn by the caller in the same way; the 1/R factor still uses R. */
  probes?: tf.Tensor2D;
}

export interface LaplacianResult {
  /** u at the points, [N]. */
  u: tf.Tensor1D;
  /** The Laplacian estimate per point, [N], differentiable w.r.t. the parameters. */
  value: tf.Tensor1D;
  /**
   * Per-direction terms [R', N] whose sum over axis 0 is `value` (d/R or 1/R already applied);
   * sparse methods: ∂²u/∂x_i² for i in `indices`. Exact methods that only have the sum omit it.
   */
  terms?: tf.Tensor2D;
  /** The sampled dimension indices (sparse methods). */
  indices?: number[];
}

export interface Estimator {
  name: string;
  family: 'stde' | 'baseline';
  summary: string;
  /** What R means: sampled basis directions, random probes, or nothing (exact). */
  sampling: 'indices' | 'probes' | 'exact';
  /**
   * Whether the result has `terms` ∂²u/∂x_i² and their `indices`, one per sampled dimension: what a
   * PDE with per-index Hessian-diagonal terms (BSB) needs (benchmarks/pdes/methods.ts).
   */
  perIndexTerms: boolean;
  laplacian(req: LaplacianRequest): LaplacianResult;
}
