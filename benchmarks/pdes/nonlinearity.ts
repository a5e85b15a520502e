/**
 * The zeroth-order parts N(u) of the operators L u = Δu + N(u) (pdes.md §2.2, §3, §4.2), with the
 * derivative N′(u) that the gPINN pair residual needs. Poisson has none.
 */
import * as tf from '@tensorflow/tfjs';

export interface Nonlinearity {
  name: string;
  /** N(u); null for the pure Laplacian. */
  N(u: tf.Tensor): tf.Tensor | null;
  /** N′(u); null for the pure Laplacian. */
  dN(u: tf.Tensor): tf.Tensor | null;
}

export const poisson: Nonlinearity = { name: 'poisson', N: () => null, dN: () => null };

export const allenCahn: Nonlinearity = {
  name: 'allen-cahn',
  N: (u) => tf.sub(u, tf.mul(tf.square(u), u)),
  dN: (u) => tf.sub(1, tf.mul(tf.square(u), 3)),
};

export const sineGordon: Nonlinearity = { name: 'sine-gordon', N: (u) => tf.sin(u), dN: (u) => tf.cos(u) };

/** a + N(u), skipping the addition when N is absent. */
export function plusN(n: Nonlinearity, a: tf.Tensor, u: tf.Tensor): tf.Tensor {
  const v = n.N(u);
  return v === null ? a : tf.add(a, v);
}
