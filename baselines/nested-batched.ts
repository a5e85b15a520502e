/**
 * Nested backprop, batched (the paper's "Parallelized backward mode SDGD (stacked)"): the points are
 * replicated once per sampled dimension ([R, N, ·]) and one double-backward evaluates every
 * Hessian-diagonal entry at once. Memory grows as R·N·d: that is the method's cost.
 */
import * as tf from '@tensorflow/tfjs';
import type { Estimator } from '../operators/estimator.ts';
import { evalTarget } from '../operators/target.ts';
import { drawIndices } from '../operators/input-jets.ts';
import { samplingFactor } from '../sampling/directions.ts';
import { oneHotFloat } from '../taylor/jet.ts';

export const nestedBatched: Estimator = {
  name: 'nested-batched',
  family: 'baseline',
  summary: 'nested reverse mode, all sampled dimensions in one batched double-backward (parallel SDGD)',
  sampling: 'indices',
  perIndexTerms: true,
  laplacian(req) {
    const indices = drawIndices(req);
    const R = indices.length;
    const [n, w] = req.x.shape;
    const mask = tf.reshape(oneHotFloat(tf.tensor1d(indices, 'int32'), w), [R, 1, w]); // selects e_i per copy
    const tiled = tf.reshape(tf.tile(tf.reshape(req.x, [1, n, w]), [R, 1, 1]), [R * n, w]);
    const f = (y: tf.Tensor) => tf.sum(evalTarget(req.target, y));
    const picked = (y: tf.Tensor) => tf.sum(tf.mul(tf.reshape(tf.grad(f)(y), [R, n, w]), mask));
    const h = tf.reshape(tf.grad(picked)(tiled), [R, n, w]);
    const terms = tf.mul(tf.sum(tf.mul(h, mask), -1), samplingFactor(req.d, req.R)) as tf.Tensor2D;
    return { u: evalTarget(req.target, req.x), value: tf.sum(terms, 0), terms, indices };
  },
};
