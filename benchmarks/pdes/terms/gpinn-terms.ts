/**
 * The gPINN derivative terms on element-wise paired index sets (pdes.md §3, D10): for each pair
 * (i_k, j_k), ∂²u/∂x_i², ∂u/∂x_j and ∂³u/∂x_i²∂x_j.
 *
 * STDE: one 7-jet per pair with v⁽²⁾ = e_i, v⁽³⁾ = e_j (method.md §5 #7, #7a), all pairs batched on
 * the direction axis: u_j = order 3, u_ii = order 4 ÷ 3, u_iij = order 7 ÷ 105 (correct also when
 * i = j). Baselines: "JVP-HVP" (Table 12), the forward-mode derivative along e_j of the HVP
 * (∇²u·e_i)_i through the explicit reverse pass (operators/jvp-hvp.ts); and nested reverse mode,
 * ∂_j u from the full reverse-mode gradient and u_iij by three nested reverse passes.
 */
import * as tf from '@tensorflow/tfjs';
import { basis, derivative, inputJet } from '../../../taylor/jet.ts';
import { applyTarget, evalTarget, type Target } from '../../../operators/target.ts';
import { inputGradient, reversePartials } from '../../../operators/reverse.ts';
import { jvpHvp } from '../../../operators/jvp-hvp.ts';

export interface PairTerms {
  /** u at the points [N]. */
  u: tf.Tensor1D;
  /** ∂²u/∂x_{i_k}² [R, N] (jets only; the baseline takes its Laplacian from an estimator). */
  uii?: tf.Tensor2D;
  /** ∂u/∂x_{j_k} [R, N]. */
  uj: tf.Tensor2D;
  /** ∂³u/∂x_{i_k}²∂x_{j_k} [R, N]. */
  uiij: tf.Tensor2D;
}

export function pairTermsByJets(target: Target, x: tf.Tensor2D, I: number[], J: number[]): PairTerms {
  const w = x.shape[1];
  const ei = basis(tf.tensor1d(I, 'int32'), w);
  const ej = basis(tf.tensor1d(J, 'int32'), w);
  const u = applyTarget(target, inputJet(x, [null, ei, ej, null, null, null, null]));
  return {
    u: u.primal as tf.Tensor1D,
    uj: derivative(u, 3) as tf.Tensor2D,
    uii: tf.div(derivative(u, 4), 3) as tf.Tensor2D,
    uiij: tf.div(derivative(u, 7), 105) as tf.Tensor2D,
  };
}

export function pairTermsByNestedReverse(target: Target, x: tf.Tensor2D, I: number[], J: number[]): PairTerms {
  const grad = inputGradient(target, x);
  const uj = tf.transpose(tf.gather(grad, J, 1)) as tf.Tensor2D;
  const f = (y: tf.Tensor) => evalTarget(target, y);
  const uiij = tf.stack(reversePartials(f, x, I.map((i, k) => [i, i, J[k]]))) as tf.Tensor2D;
  return { u: evalTarget(target, x), uj, uiij };
}

export function pairTermsByJvpHvp(target: Target, x: tf.Tensor2D, I: number[], J: number[]): PairTerms {
  const r = jvpHvp(target, x, I, J);
  return { u: r.u, uj: r.uj, uiij: r.uiij };
}
