/**
 * Forward Laplacian (Li et al. 2023; method.md §8): value, Jacobian and Laplacian propagated
 * together in one forward pass. Collapsed Taylor mode over all d basis directions *is* this
 * recurrence (method.md §9: the per-direction order-1 coefficients are the Jacobian columns and
 * the collapsed top is the Laplacian vector), so it runs on the same machinery. Exact; R ignored.
 */
import type { Estimator } from '../operators/estimator.ts';
import { applyTarget } from '../operators/target.ts';
import { basisJet } from '../operators/input-jets.ts';
import { derivative } from '../taylor/jet.ts';
import type * as tf from '@tensorflow/tfjs';

export const forwardLaplacian: Estimator = {
  name: 'forward-laplacian',
  family: 'baseline',
  summary: 'Forward Laplacian: exact Laplacian in one forward pass (R ignored)',
  sampling: 'exact',
  perIndexTerms: false,
  laplacian(req) {
    const all = [...Array(req.d).keys()];
    const u = applyTarget(req.target, basisJet(req, all, 2, true));
    return { u: u.primal as tf.Tensor1D, value: derivative(u, 2) as tf.Tensor1D };
  },
};
