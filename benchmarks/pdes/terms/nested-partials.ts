/**
 * Mixed partial derivatives by repeated reverse mode (the "backward" baseline of pdes.md §3, §5):
 * ∂_{α} u for a multi-index written as the sequence of input indices to differentiate along,
 * e.g. [0, 0, 0, 1] = u_xxxy.
 *
 * G_p(y) = ∇_y ∂_p u(y) is one more tf.grad around G_{p[:-1]}; ∂_{p+[m]} u = column m of G_p.
 * Requests that share the prefix p share one evaluation of G_p, so u_xx and u_xy cost one
 * third-level pass, not two.
 */
import * as tf from '@tensorflow/tfjs';
import { column } from './reverse.ts';

type Field = (y: tf.Tensor) => tf.Tensor; // [N, w] → [N] (a partial) or [N, w] (its gradient)

export function nestedPartials(u: (y: tf.Tensor) => tf.Tensor1D, x: tf.Tensor2D, alphas: number[][]): tf.Tensor1D[] {
  const gradients = new Map<string, Field>();
  const gradientOf = (p: number[]): Field => {
    const key = p.join(',');
    let g = gradients.get(key);
    if (!g) {
      const partial: Field = p.length === 0 ? u : (y) => column(gradientOf(p.slice(0, -1))(y), p[p.length - 1]);
      g = tf.grad((y: tf.Tensor) => tf.sum(partial(y)));
      gradients.set(key, g);
    }
    return g;
  };
  const atX = new Map<string, tf.Tensor>();
  return alphas.map((alpha) => {
    if (alpha.length === 0) return u(x);
    const p = alpha.slice(0, -1);
    const key = p.join(',');
    if (!atX.has(key)) atX.set(key, gradientOf(p)(x));
    return column(atX.get(key)!, alpha[alpha.length - 1]);
  });
}
