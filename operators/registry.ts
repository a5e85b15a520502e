/** Every estimator by name. Adding one: write its file, add one line here. */
import type { Estimator } from './estimator.ts';
import { byName, UsageError } from '../engine/errors.ts';
import type { ProbeDist } from '../sampling/directions.ts';
import { stdeSparse } from '../estimators/stde-sparse.ts';
import { stdeDense } from '../estimators/stde-dense.ts';
import { stdeCollapsed, stdeCollapsedDense } from '../estimators/stde-collapsed.ts';
import { nested } from '../baselines/nested.ts';
import { nestedBatched } from '../baselines/nested-batched.ts';
import { forwardOverBackward } from '../baselines/forward-over-backward.ts';
import { forwardLaplacian } from '../baselines/forward-laplacian.ts';
import { checkpointed } from './checkpoint.ts';

export const ESTIMATORS: Estimator[] = [
  stdeSparse,
  stdeDense,
  stdeCollapsed,
  stdeCollapsedDense,
  nested,
  nestedBatched,
  checkpointed(nested, 1),
  checkpointed(nestedBatched, 4),
  forwardOverBackward,
  forwardLaplacian,
];

export function getEstimator(name: string): Estimator {
  return byName(ESTIMATORS, name, 'estimator');
}

/**
 * What `train` and `operator` refuse of a draw's settings alike: a probe law given to a method that
 * draws no probes (it would change nothing but the label), and a probe method with no probes.
 * `estimator` is undefined for a method outside the registry (a PDE's own scheme, the data fit).
 */
export function checkDraw(name: string, estimator: Estimator | undefined, R: number, dist: ProbeDist | undefined): void {
  if (estimator?.sampling === 'probes' && R === 0) throw new UsageError(`${name} needs R > 0 probe vectors`);
  if (dist !== undefined && estimator?.sampling !== 'probes') {
    throw new UsageError(`--dist applies to the estimators that draw probes (${ESTIMATORS.filter((e) => e.sampling === 'probes').map((e) => e.name).join(', ')}), not ${name}`);
  }
}
