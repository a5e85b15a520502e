/** Sparse STDE (method.md §4, Eq. 16): 2-jets (e_i, 0) batched over the sampled i; ×d/R. */
import * as tf from '@tensorflow/tfjs';
import type { Estimator } from '../operators/estimator.ts';
import { applyTarget } from '../operators/target.ts';
import { basisJet, drawIndices } from '../operators/input-jets.ts';
import { derivative } from '../taylor/jet.ts';
import { samplingFactor } from '../sampling/directions.ts';

export const stdeSparse: Estimator = {
  name: 'stde-sparse',
  family: 'stde',
  summary: 'STDE with basis-vector 2-jets (e_i, 0), one batched pushforward; = SDGD estimator',
  sampling: 'indices',
  perIndexTerms: true,
  laplacian(req) {
    const indices = drawIndices(req);
    const u = applyTarget(req.target, basisJet(req, indices));
    const terms = tf.mul(derivative(u, 2), samplingFactor(req.d, req.R)) as tf.Tensor2D; // [R, N]
    return { u: u.primal as tf.Tensor1D, value: tf.sum(terms, 0), terms, indices };
  },
};
