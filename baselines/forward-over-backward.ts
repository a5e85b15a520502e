/**
 * Forward-over-backward SDGD (paper App. A.3): the JVP, along e_i, of the reverse-mode gradient
 * map, keeping component i. tfjs has no jvp, so the network's reverse pass is written explicitly
 * in the jet algebra (model/mlp.ts firstLayerDelta) and a 1-jet is pushed through it. The ansatz
 * u = a·N + b is folded in by the product rule (withAnsatz): u_ii = a N_ii + 2 a_i N_i + N a_ii + b_ii.
 */
import * as tf from '@tensorflow/tfjs';
import type { Estimator } from '../operators/estimator.ts';
import { basisJet, drawIndices } from '../operators/input-jets.ts';
import { contract, firstLayerDelta, firstLayerRows, forwardMLP } from '../model/mlp.ts';
import { samplingFactor } from '../sampling/directions.ts';
import { networkOf, withAnsatz } from '../operators/target.ts';
import { multiIndex } from '../planner/multi-index.ts';

const ORDER_0 = multiIndex({});
const PURE = multiIndex({ i: 2 }); // ∂²/∂x_i², i bound to the sampled indices

export const forwardOverBackward: Estimator = {
  name: 'forward-over-backward',
  family: 'baseline',
  summary: 'forward-mode JVP of the explicit reverse-mode input gradient, per sampled dimension',
  sampling: 'indices',
  perIndexTerms: true,
  laplacian(req) {
    const model = networkOf(req.target, 'forward-over-backward');
    const indices = drawIndices(req);
    const idx = tf.tensor1d(indices, 'int32');
    const delta = firstLayerDelta(model, basisJet(req, indices, 1));
    const rows = firstLayerRows(model, idx);
    const Ni = contract(delta.primal, rows); // ∂N/∂x_i      [R, N]
    const Nii = contract(delta.series[0] as tf.Tensor, rows); // ∂²N/∂x_i²  [R, N]
    const N = { '': forwardMLP(model, req.x), 'i:1': Ni, 'i:2': Nii };
    const { '': u, 'i:2': diag } = withAnsatz(req.target, req.x, N, [ORDER_0, PURE], { i: indices });
    const terms = tf.mul(diag, samplingFactor(req.d, req.R)) as tf.Tensor2D;
    return { u: u as tf.Tensor1D, value: tf.sum(terms, 0), terms, indices };
  },
};
