/**
 * Which methods can train which PDE. A Laplacian PDE trains with every registered Laplacian
 * estimator (SDGD = the baselines with R > 0); `none` is the data-fit floor, available where an
 * exact solution exists.
 */
import { ESTIMATORS } from '../../operators/registry.ts';
import type * as tf from '@tensorflow/tfjs';
import type { Estimator, LaplacianResult } from '../../operators/estimator.ts';
import type { DerivativeTerm, LossContext, PDE } from './pde.ts';

export const DATA_FIT = 'none';

export function laplacianMethods(exact: boolean): string[] {
  return [...ESTIMATORS.map((e) => e.name), ...(exact ? [DATA_FIT] : [])];
}

/** Estimators that return per-index Hessian-diagonal terms with their indices. */
export function hessianDiagonalMethods(exact: boolean): string[] {
  return [...ESTIMATORS.filter((e) => e.perIndexTerms).map((e) => e.name), ...(exact ? [DATA_FIT] : [])];
}

/** The terms a registered Laplacian estimator computes; the others (high-order, gradients) a PDE computes itself. */
const ESTIMATED_TERMS: readonly DerivativeTerm[] = ['laplacian', 'hessian-diagonal', 'gpinn'];

/**
 * Whether a PDE's method names are registered Laplacian estimators. A high-order PDE's `stde-sparse`
 * and `nested` are jet schemes of its own that share those names, and get no Laplacian estimator.
 */
export const takesEstimators = (pde: PDE): boolean => pde.terms.some((t) => ESTIMATED_TERMS.includes(t));

/** The Laplacian estimator a method names (training resolves it; a PDE never guesses). */
export function estimatorOf(ctx: LossContext): Estimator {
  const e = ctx.method.estimator;
  if (!e) throw new Error(`method '${ctx.method.name}' has no Laplacian estimator`);
  return e;
}

/** The network's Laplacian over the first d inputs of x, estimated by the step's method and draw (`rng`: the step's stream unless given). */
export function estimateLaplacian(ctx: LossContext, x: tf.Tensor2D, d: number, rng = ctx.rng): LaplacianResult {
  return estimatorOf(ctx).laplacian({ target: ctx.target, x, d, R: ctx.R, dist: ctx.dist, rng });
}
