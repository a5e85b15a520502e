/**
 * Reverse-mode derivatives of the target with respect to its inputs: the full gradient ∇u (and the
 * time derivative u_t of pdes.md §4.1 and §6), and mixed partials by repeated reverse mode, the one
 * implementation behind the nested baselines (the Laplacian's, the partial, second-order and
 * biharmonic operators', the high-order PDEs' backward). Points are independent, so the gradient of
 * Σ_n u(x_n) with respect to x is the per-point gradient.
 */
import * as tf from '@tensorflow/tfjs';
import { evalTarget, type Target } from './target.ts';

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

type Field = (y: tf.Tensor) => tf.Tensor; // [N, w] → [N] (a partial) or [N, w] (its gradient)

/**
 * Mixed partial derivatives by repeated reverse mode (the "backward" baseline of pdes.md §3, §5):
 * ∂_{α} u for a multi-index written as the sequence of input indices to differentiate along,
 * e.g. [0, 0, 0, 1] = u_xxxy.
 *
 * G_p(y) = ∇_y ∂_p u(y) is one more tf.grad around G_{p[:-1]}; ∂_{p+[m]} u = column m of G_p.
 * Requests that share the prefix p share one evaluation of G_p, so u_xx and u_xy cost one
 * third-level pass, not two.
 */
export function reversePartials(u: (y: tf.Tensor) => tf.Tensor1D, x: tf.Tensor2D, alphas: number[][]): tf.Tensor1D[] {
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
