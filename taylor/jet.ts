/**
 * A jet: a primal and the normalized Taylor coefficients of a batch of curves through it.
 *
 * Shapes. The primal has shape [N, ...f] (N points). Coefficient k (series[k-1], order k) has a
 * leading direction axis: [R, N, ...f], or [R, 1, ...f] when it does not depend on the point
 * (e.g. right after the first affine layer with basis tangents). All directions share the primal.
 *
 * Coefficients are *normalized*: x(t) = x₀ + Σ_k x_k t^k. The order-k derivative output is
 * k!·y_k; `derivative()` converts. `null` marks a coefficient known to be zero, so jets with
 * empty slots (e.g. (0, e_i, e_j, 0, …)) cost nothing for them.
 *
 * A basis coefficient (`BasisCoeff`) stands for the rows scale·e_{indices[r]} without building an
 * [R, d] one-hot; only rules that can exploit it (affine layers, sums of squares) accept it,
 * others densify it.
 *
 * `collapsed` (collapsed Taylor mode, method.md §9): the top coefficient has no direction axis; it
 * holds the sum over directions.
 */
import * as tf from '@tensorflow/tfjs';

export interface BasisCoeff {
  kind: 'basis';
  /** int32 [R]: the direction r is scale·e_{indices[r]}. */
  indices: tf.Tensor1D;
  /** Length of the basis vectors (the size of the primal's last axis). */
  dim: number;
  scale: number;
  /**
   * Per-point weights [R, N] (or [R, 1]): the coefficient is scale·values[r, n]·e_{indices[r]}. A basis
   * tangent stays one column per direction through the weight-sharing layer and elementwise ops, so
   * it costs O(R·N) there instead of O(R·N·d/B).
   */
  values?: tf.Tensor;
}

export type Coeff = tf.Tensor | BasisCoeff | null;

export interface Jet {
  primal: tf.Tensor;
  series: Coeff[];
  collapsed?: boolean;
}

export function isBasis(c: Coeff): c is BasisCoeff {
  return c !== null && (c as BasisCoeff).kind === 'basis';
}

export function basis(indices: tf.Tensor1D, dim: number, scale = 1, values?: tf.Tensor): BasisCoeff {
  return { kind: 'basis', indices, dim, scale, values };
}

/** A jet with no tangent: what a plain tensor is to the jet algebra. */
export function constant(primal: tf.Tensor, order = 0): Jet {
  return { primal, series: Array<Coeff>(order).fill(null) };
}

export function order(j: Jet): number {
  return j.series.length;
}

const FACT = [1, 1, 2, 6, 24, 120, 720, 5040, 40320, 362880, 3628800, 39916800, 479001600, 6227020800, 87178291200];
export function factorial(k: number): number {
  if (k < FACT.length) return FACT[k];
  let f = FACT[FACT.length - 1];
  for (let i = FACT.length; i <= k; i++) f *= i;
  return f;
}

/**
 * Build an input jet from derivative-scaled tangents v⁽ʲ⁾ (slot j = index j-1), the convention of
 * the spec: the jet (a, v⁽¹⁾, …, v⁽ᴷ⁾) is the curve a + Σ v⁽ʲ⁾ tʲ/j!.
 */
export function inputJet(primal: tf.Tensor, tangents: Coeff[], collapsed = false): Jet {
  const series = tangents.map((v, j) => scaleCoeff(v, 1 / factorial(j + 1)));
  return { primal, series, collapsed };
}

export function scaleCoeff(c: Coeff, s: number): Coeff {
  if (c === null) return null;
  if (s === 1) return c;
  if (isBasis(c)) return { ...c, scale: c.scale * s };
  return tf.mul(c, s);
}

/** float32 one-hot rows scaled by `on` (tf.oneHot's float dtype is unreliable on wasm, so cast). */
export function oneHotFloat(indices: tf.Tensor1D, depth: number, on = 1): tf.Tensor2D {
  const oh = tf.cast(tf.oneHot(indices, depth), 'float32') as tf.Tensor2D;
  return on === 1 ? oh : tf.mul(oh, on);
}

/** A dense [R, 1, ..., dim] tensor for a basis coefficient (for rules that need dense input). */
export function densify(c: Coeff, primalRank: number): tf.Tensor | null {
  if (c === null || !isBasis(c)) return c;
  const oh = oneHotFloat(c.indices, c.dim, c.scale); // [R, dim]
  const shape = [c.indices.shape[0], ...Array(primalRank - 1).fill(1), c.dim];
  const dense = tf.reshape(oh, shape);
  return c.values ? tf.mul(dense, tf.expandDims(c.values, -1)) : dense;
}

/** The derivative-scaled output of order k (k! · y_k); k = 0 is the primal. */
export function derivative(j: Jet, k: number): tf.Tensor {
  if (k === 0) return j.primal;
  const c = j.series[k - 1];
  if (c === null || c === undefined) {
    // A known-zero coefficient: zeros with the direction axis if the jet has one.
    const lead = j.series.find((s) => s !== null && !isBasis(s)) as tf.Tensor | undefined;
    const shape = lead && !(j.collapsed && k === order(j)) ? [lead.shape[0], ...j.primal.shape] : j.primal.shape;
    return tf.zeros(shape);
  }
  return tf.mul(densify(c, j.primal.rank)!, factorial(k));
}
