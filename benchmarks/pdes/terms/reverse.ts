/**
 * Reverse-mode derivatives of the target with respect to its inputs (the full gradient ∇u and the
 * time derivative u_t of pdes.md §4.1 and §6). Points are independent, so the gradient of Σ_n u(x_n)
 * with respect to x is the per-point gradient.
 */
import * as tf from '@tensorflow/tfjs';
import { evalTarget, type Target } from '../../../operators/target.ts';

/** ∂u/∂(inputs) at every point: [N, d + extra]. */
export function inputGradient(target: Target, x: tf.Tensor2D): tf.Tensor2D {
  return tf.grad((y: tf.Tensor) => tf.sum(evalTarget(target, y)))(x) as tf.Tensor2D;
}

/** Column i of a [N, w] tensor as [N]. */
export function column(t: tf.Tensor, i: number): tf.Tensor1D {
  return tf.reshape(tf.slice(t, [0, i], [-1, 1]), [-1]) as tf.Tensor1D;
}

/** Columns [begin, begin + size) of a [N, w] tensor. */
export function columns(t: tf.Tensor, begin: number, size: number): tf.Tensor2D {
  return tf.slice(t, [0, begin], [-1, size]) as tf.Tensor2D;
}
