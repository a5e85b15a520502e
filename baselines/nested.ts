/**
 * Nested backprop, looped (the paper's "Backward mode SDGD (JAX) (scan)"): for each sampled i, one
 * at a time, a reverse-over-reverse Hessian–vector product ∂/∂x (∂u/∂x_i), keeping component i.
 * Sum ×d/R. Points are independent, so summing u over points before differentiating is exact.
 */
import * as tf from '@tensorflow/tfjs';
import type { Estimator } from '../operators/estimator.ts';
import { evalTarget } from '../operators/target.ts';
import { reversePartials } from '../operators/reverse.ts';
import { drawIndices } from '../operators/input-jets.ts';
import { samplingFactor } from '../sampling/directions.ts';

export const nested: Estimator = {
  name: 'nested',
  family: 'baseline',
  summary: 'nested reverse mode, one double-backward per sampled dimension (looped SDGD)',
  sampling: 'indices',
  perIndexTerms: true,
  laplacian(req) {
    const indices = drawIndices(req);
    const terms = reversePartials((y) => evalTarget(req.target, y), req.x, indices.map((i) => [i, i]));
    const stacked = tf.mul(tf.stack(terms), samplingFactor(req.d, req.R)) as tf.Tensor2D;
    return { u: evalTarget(req.target, req.x), value: tf.sum(stacked, 0), terms: stacked, indices };
  },
};
