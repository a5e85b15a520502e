/**
 * Forward-over-backward SDGD (paper App. A.3): the JVP, along e_i, of the reverse-mode gradient
 * map, keeping component i. tfjs has no jvp, so the network's reverse pass is written explicitly
 * in the jet algebra (model/mlp.ts firstLayerDelta) and a 1-jet is pushed through it. The ansatz
 * u = a·N + b is folded in by the product rule: u_ii = a N_ii + 2 a_i N_i + N a_ii + b_ii, with
 * a and b differentiated by 2-jets.
 */
import * as tf from '@tensorflow/tfjs';
import type { Estimator } from '../operators/estimator.ts';
import { basisJet, drawIndices } from '../operators/input-jets.ts';
import { contract, firstLayerDelta, firstLayerRows, forwardMLP } from '../model/mlp.ts';
import { derivative, type Jet } from '../taylor/jet.ts';
import { samplingFactor } from '../sampling/directions.ts';
import { networkOf } from '../operators/target.ts';

export const forwardOverBackward: Estimator = {
  name: 'forward-over-backward',
  family: 'baseline',
  summary: 'forward-mode JVP of the explicit reverse-mode input gradient, per sampled dimension',
  sampling: 'indices',
  perIndexTerms: true,
  laplacian(req) {
    const { ansatz } = req.target;
    const model = networkOf(req.target, 'forward-over-backward');
    const indices = drawIndices(req);
    const idx = tf.tensor1d(indices, 'int32');
    const delta = firstLayerDelta(model, basisJet(req, indices, 1));
    const rows = firstLayerRows(model, idx);
    const Ni = contract(delta.primal, rows); // ∂N/∂x_i      [R, N]
    const Nii = contract(delta.series[0] as tf.Tensor, rows); // ∂²N/∂x_i²  [R, N]
    const N0 = forwardMLP(model, req.x);
    let u: tf.Tensor = N0;
    let diag: tf.Tensor = Nii;
    if (ansatz?.scale || ansatz?.shift) {
      const x2 = basisJet(req, indices, 2);
      if (ansatz.scale) {
        const a: Jet = ansatz.scale(x2);
        diag = tf.addN([tf.mul(a.primal, Nii), tf.mul(2, tf.mul(derivative(a, 1), Ni)), tf.mul(N0, derivative(a, 2))]);
        u = tf.mul(a.primal, N0);
      }
      if (ansatz.shift) {
        const b: Jet = ansatz.shift(x2);
        diag = tf.add(diag, derivative(b, 2));
        u = tf.add(u, b.primal);
      }
    }
    const terms = tf.mul(diag, samplingFactor(req.d, req.R)) as tf.Tensor2D;
    return { u: u as tf.Tensor1D, value: tf.sum(terms, 0), terms, indices };
  },
};
