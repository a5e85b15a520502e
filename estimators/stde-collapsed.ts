/**
 * Collapsed Taylor mode (method.md §9): the second-order coefficient is summed over directions at
 * every layer, so one [N, h] tensor is propagated for it instead of [R, N, h]. Sparse (basis
 * directions, ×d/R) and dense (probes, ×1/R) variants.
 */
import * as tf from '@tensorflow/tfjs';
import type { Estimator } from '../operators/estimator.ts';
import { applyTarget } from '../operators/target.ts';
import { basisJet, drawIndices, probeJet } from '../operators/input-jets.ts';
import { derivative } from '../taylor/jet.ts';
import { samplingFactor } from '../sampling/directions.ts';

export const stdeCollapsed: Estimator = {
  name: 'stde-collapsed',
  family: 'stde',
  summary: 'collapsed Taylor mode with sampled basis directions (stochastic Forward Laplacian), ×d/R',
  sampling: 'indices',
  perIndexTerms: false, // the directions' terms are summed inside the jet
  laplacian(req) {
    const indices = drawIndices(req);
    const u = applyTarget(req.target, basisJet(req, indices, 2, true));
    const value = tf.mul(derivative(u, 2), samplingFactor(req.d, req.R)) as tf.Tensor1D;
    return { u: u.primal as tf.Tensor1D, value, indices };
  },
};

export const stdeCollapsedDense: Estimator = {
  name: 'stde-collapsed-dense',
  family: 'stde',
  summary: 'collapsed Taylor mode with dense Rademacher/Gaussian probes, ×1/R',
  sampling: 'probes',
  perIndexTerms: false,
  laplacian(req) {
    const u = applyTarget(req.target, probeJet(req, 2, true));
    return { u: u.primal as tf.Tensor1D, value: tf.div(derivative(u, 2), req.R) as tf.Tensor1D };
  },
};
