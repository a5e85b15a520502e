/**
 * The three-body exact solution (pdes.md §2.1): u* = φ·ψ₃, ψ₃ = Σ_{i≤d−2} c_i exp(P_i),
 * P_i = x_i x_{i+1} x_{i+2}. Its exact Laplacian is the closed form of §2.4 (the project default,
 * D1); the 'published-incorrect' variant is the published code's version without the chain-rule
 * factors (§2.5), an opt-in that reproduces the source the paper's Table 6 was trained on.
 */
import * as tf from '@tensorflow/tfjs';
import * as J from '../../../taylor/ops.ts';
import type { Jet, Operand } from '../../../taylor/ops.ts';
import { phi, type Solution } from './solution.ts';
import { sumSquaresRows } from '../../../engine/sum-squares.ts';

export type ThreeBodySource = 'exact' | 'published-incorrect';

export interface ThreeBody extends Solution {
  /** u* and Δu* (exact) or the published Δ̃u* (published-incorrect). */
  evaluate(x: tf.Tensor2D, source?: ThreeBodySource): { u: tf.Tensor1D; laplacian: tf.Tensor1D };
}

export function threeBody(c: tf.Tensor1D, d: number): ThreeBody {
  if (c.shape[0] !== d - 2) throw new Error(`three-body needs d − 2 = ${d - 2} coefficients, got ${c.shape[0]}`);
  const u = (x: Operand): Jet => {
    const P = J.mul(J.mul(J.sliceLast(x, 0, d - 2), J.sliceLast(x, 1, d - 2)), J.sliceLast(x, 2, d - 2));
    return J.mul(phi(x), J.dotConst(J.exp(P), c));
  };
  const evaluate = (x: tf.Tensor2D, source: ThreeBodySource = 'exact') =>
    tf.tidy(() => {
      const [x0, x1, x2] = [0, 1, 2].map((j) => tf.slice(x, [0, j], [-1, d - 2]));
      const P = tf.mul(tf.mul(x0, x1), x2);
      const E = tf.mul(tf.exp(P), c); // c_i e^{P_i}
      const ph = tf.sub(1, sumSquaresRows(x, true)); // [N, 1]
      const psi = tf.sum(E, -1);
      const bracket =
        source === 'exact'
          ? // φ((x_{i+1}x_{i+2})² + (x_i x_{i+2})² + (x_i x_{i+1})²) − 12 P_i   (§2.4)
            tf.sub(tf.mul(ph, tf.addN([tf.square(tf.mul(x1, x2)), tf.square(tf.mul(x0, x2)), tf.square(tf.mul(x0, x1))])), tf.mul(P, 12))
          : // 3φ − 4(x_i + x_{i+1} + x_{i+2})   (§2.5, chain-rule factors dropped)
            tf.sub(tf.mul(ph, 3), tf.mul(tf.addN([x0, x1, x2]), 4));
      const laplacian = tf.sub(tf.sum(tf.mul(E, bracket), -1), tf.mul(psi, 2 * d));
      return { u: tf.mul(tf.reshape(ph, [-1]), psi) as tf.Tensor1D, laplacian: laplacian as tf.Tensor1D };
    });
  return { u, evaluate };
}
