/**
 * Which methods can train which PDE. A Laplacian PDE trains with every registered Laplacian
 * estimator (SDGD = the baselines with R > 0); `none` is the data-fit floor, available where an
 * exact solution exists.
 */
import { ESTIMATORS } from '../../operators/registry.ts';

export const DATA_FIT = 'none';

export function laplacianMethods(exact: boolean): string[] {
  return [...ESTIMATORS.map((e) => e.name), ...(exact ? [DATA_FIT] : [])];
}

/** Estimators that return per-index Hessian-diagonal terms with their indices. */
export function hessianDiagonalMethods(exact: boolean): string[] {
  return [...ESTIMATORS.filter((e) => e.sampling === 'indices' && !e.name.includes('collapsed')).map((e) => e.name), ...(exact ? [DATA_FIT] : [])];
}
