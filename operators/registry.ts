/** Every estimator by name. Adding one: write its file, add one line here. */
import type { Estimator } from './estimator.ts';
import { byName } from '../engine/errors.ts';
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
