/**
 * The data-fit floor `none`: loss = mean((u − u*)²) on the same model, ansatz and points, with no
 * derivative at all. Every estimator's step is compared with this cost (issue 6's floor ratio).
 */
import * as tf from '@tensorflow/tfjs';
import type { PDE, Problem } from '../pdes/pde.ts';
import { byRowBlocks } from '../pdes/row-blocks.ts';
import { evalTarget } from '../../operators/target.ts';
import { UsageError } from '../../engine/errors.ts';

export function dataFitProblem(pde: PDE, problem: Problem): Problem<{ x: tf.Tensor2D; ue: tf.Tensor1D }> {
  const exact = problem.exact;
  if (!exact) {
    throw new UsageError(`${pde.name} has no closed-form exact solution: the data-fit estimator 'none' needs one`);
  }
  return {
    ...problem,
    sample(rng, { points }) {
      const x = problem.domain.interior(points, rng.child('points'));
      return { x, ue: byRowBlocks(x, (rows) => exact(rows).primal as tf.Tensor1D) };
    },
    residuals: ({ x, ue }, c) => [{ name: 'data-fit', weight: 1, r: tf.sub(evalTarget(c.target, x), ue) }],
  };
}
