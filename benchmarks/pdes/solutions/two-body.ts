/**
 * The two-body exact solution of the inseparable PDEs (pdes.md §2.1, §2.3):
 * u* = φ·ψ₂, φ = 1 − ‖x‖², ψ₂ = Σ_{i<d} c_i sin(s_i), s_i = x_i + cos x_{i+1} + x_{i+1} cos x_i,
 * and its exact Laplacian (the per-term formula of §2.3).
 *
 * Transcendentals dominate the cost at large d (each is a pass over [N, d]), so sin x and cos x are
 * taken once over all coordinates and shifted for x_{i+1}, and u* and Δu* share sin s and cos s,
 * each pair from one tangent (trig.ts).
 */
import * as tf from '@tensorflow/tfjs';
import * as J from '../../../taylor/ops.ts';
import { constant } from '../../../taylor/jet.ts';
import type { Jet, Operand } from '../../../taylor/ops.ts';
import { phi, type Solution } from './solution.ts';
import { sinCos } from './trig.ts';
import { blocks, perBlock } from '../../../engine/row-blocks.ts';

export function twoBody(c: tf.Tensor1D, d: number): Solution {
  if (c.shape[0] !== d - 1) throw new Error(`two-body needs d − 1 = ${d - 1} coefficients, got ${c.shape[0]}`);
  const lo = <T extends Operand>(t: T) => J.sliceLast(t, 0, d - 1); // x_i, i < d
  const hi = <T extends Operand>(t: T) => J.sliceLast(t, 1, d - 1); // x_{i+1}
  const u = (x: Operand): Jet => {
    // Plain points (data-fit targets, test errors): the same trig path as the source, so the
    // `none` floor and the PDE loss pay alike for u*.
    if (x instanceof tf.Tensor) return constant(tf.tidy(() => primalU(x)));
    const cx = J.cos(x);
    const s = J.add(J.add(lo(x), hi(cx)), J.mul(hi(x), lo(cx)));
    return J.mul(phi(x), J.dotConst(J.sin(s), c));
  };
  const primalU = (x: tf.Tensor): tf.Tensor1D => {
    const col = (t: tf.Tensor, begin: number) => tf.slice(t, [0, begin], [-1, d - 1]);
    const cx = sinCos(x)[1];
    const s = tf.add(tf.add(col(x, 0), col(cx, 1)), tf.mul(col(x, 1), col(cx, 0)));
    const ph = tf.sub(1, tf.sum(tf.square(x), -1));
    return tf.mul(ph, tf.sum(tf.mul(sinCos(s)[0], c), -1)) as tf.Tensor1D;
  };
  /**
   * The pair sums of Δu* over pairs i ∈ [lo, lo + m): ψ = Σ c_i sin s_i, and Σ c_i·(−inner_i) and
   * Σ c_i·radial_i, each Σ_i c_i·t_i as one matrix–vector product (a single pass over [N, m]) when
   * there are enough rows to amortise packing c.
   */
  const pairSums = (x: tf.Tensor2D, lo: number, m: number) => {
    const cs = tf.slice(c, [lo], [m]);
    // A few rows (the row-blocked source at d ≥ 10⁵): multiply and sum; matMul would repack c each call.
    const dotC = (t: tf.Tensor) =>
      x.shape[0] < 8 ? tf.sum(tf.mul(t, cs), -1) : tf.reshape(tf.matMul(t as tf.Tensor2D, tf.reshape(cs, [-1, 1]) as tf.Tensor2D), [-1]);
    const window = lo === 0 && m + 1 === x.shape[1] ? x : tf.slice(x, [0, lo], [-1, m + 1]); // x_lo … x_{lo+m}
    const [sw, cw] = sinCos(window);
    const at = (t: tf.Tensor, shift: number) => tf.slice(t, [0, shift], [-1, m]);
    const [a, b, sa, ca, sb, cb] = [at(window, 0), at(window, 1), at(sw, 0), at(cw, 0), at(sw, 1), at(cw, 1)];
    const second = tf.add(tf.mul(b, ca), cb); // −(∂²s_i/∂x_i² + ∂²s_i/∂x_{i+1}²)
    const s = tf.add(a, second); // s_i = x_i + cos x_{i+1} + x_{i+1} cos x_i
    const [sinS, cosS] = sinCos(s);
    const A = tf.sub(1, tf.mul(b, sa)); // ∂s_i/∂x_i
    const B = tf.sub(ca, sb); // ∂s_i/∂x_{i+1}
    const negInner = tf.add(tf.mul(sinS, tf.add(tf.square(A), tf.square(B))), tf.mul(cosS, second));
    const radial = tf.mul(cosS, tf.add(tf.mul(a, A), tf.mul(b, B)));
    return [dotC(sinS), dotC(negInner), dotC(radial)];
  };
  const evaluate = (x: tf.Tensor2D) =>
    tf.tidy(() => {
      // Pairs in column chunks: at d = 5·10⁶ one point's two dozen [1, d] temporaries would be
      // most of a gigabyte of WASM heap at once; per chunk they stay within a few MB.
      let sums: tf.Tensor[] | null = null;
      for (const [lo, m] of blocks(d - 1, perBlock(x.shape[0]))) {
        const part = tf.tidy(() => pairSums(x, lo, m));
        const next: tf.Tensor[] = sums ? part.map((t, k) => tf.add(sums![k], t)) : part;
        if (sums) tf.dispose([...sums, ...part]);
        sums = next;
      }
      const [psi, negInnerC, radialC] = sums!;
      const ph = tf.sub(1, tf.sum(tf.square(x), -1)); // [N]
      // Δu* = Σ_i c_i (φ·inner_i − 4·radial_i) − 2d·ψ
      const laplacian = tf.sub(tf.neg(tf.add(tf.mul(ph, negInnerC), tf.mul(radialC, 4))), tf.mul(psi, 2 * d));
      return { u: tf.mul(ph, psi) as tf.Tensor1D, laplacian: laplacian as tf.Tensor1D };
    });
  return { u, evaluate };
}
