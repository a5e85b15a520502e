/** Shared pieces of the inseparable exact solutions (pdes.md §2). */
import * as tf from '@tensorflow/tfjs';
import * as J from '../../../taylor/ops.ts';
import type { Jet, Operand } from '../../../taylor/ops.ts';

export interface Solution {
  /** u*(x) in the jet algebra ([N, d] tensors in, a constant jet out). */
  u(x: Operand): Jet;
  /** u* and Δu* at [N, d] points in closed form, sharing their intermediates. */
  evaluate(x: tf.Tensor2D): { u: tf.Tensor1D; laplacian: tf.Tensor1D };
}

/** φ = 1 − ‖x‖² (the zero-boundary factor of the unit ball). */
export const phi = (x: Operand): Jet => J.scaleShift(J.sumSquares(x), -1, 1);

/** The coefficients c_i ~ N(0, 1) (pdes.md §1.4): d draws, the first `count` used, so two- and three-body share them. */
export function coefficients(rng: { normal(): number }, d: number, count: number): tf.Tensor1D {
  const c = new Float32Array(d);
  for (let i = 0; i < d; i++) c[i] = rng.normal();
  return tf.tensor1d(c.subarray(0, count));
}
