/** Dense STDE / Hutchinson (method.md §4, D4): probes v with E[vvᵀ] = I, estimate (1/R)Σ vᵀ∇²u v. */
import * as tf from '@tensorflow/tfjs';
import type { Estimator } from '../operators/estimator.ts';
import { applyTarget } from '../operators/target.ts';
import { probeJet } from '../operators/input-jets.ts';
import { derivative } from '../taylor/jet.ts';

export const stdeDense: Estimator = {
  name: 'stde-dense',
  family: 'stde',
  summary: 'STDE with dense Rademacher/Gaussian 2-jets (Hutchinson), factor 1/R',
  sampling: 'probes',
  perIndexTerms: false,
  laplacian(req) {
    const u = applyTarget(req.target, probeJet(req));
    const terms = tf.div(derivative(u, 2), req.R) as tf.Tensor2D;
    return { u: u.primal as tf.Tensor1D, value: tf.sum(terms, 0), terms };
  },
};
