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
 * Whether every draw of a method gives the same estimate, and why: it draws nothing (an exact method),
 * R = 0 (all d dimensions), or R = d of an index sampler (every dimension, in some order: no
 * replacement). Then `train --loss unbiased` has no second estimate and `operator --samples` nothing to
 * average. `d` may be unknown (before the model is read).
 */
export function drawKind(estimator: Estimator | undefined, R: number, d: number | undefined): 'exact' | 'R = 0' | 'R = d' | 'random' {
  if (estimator?.sampling === 'exact') return 'exact';
  if (R === 0) return 'R = 0';
  return estimator?.sampling === 'indices' && R === d ? 'R = d' : 'random';
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
