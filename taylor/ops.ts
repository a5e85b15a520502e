/**
 * The jet algebra used by models and operators. Every function takes jets or plain tensors
 * (constants) and returns a jet; on constant jets it is just the tensor computation, so the model
 * is written once and runs on tensors and on jets.
 */
import * as tf from '@tensorflow/tfjs';
import { apply, type Operand } from './propagate.ts';
import type { Jet } from './jet.ts';

export type { Jet, Operand };

export const add = (a: Operand, b: Operand) => apply('add', [a, b]);
export const sub = (a: Operand, b: Operand) => apply('sub', [a, b]);
export const neg = (a: Operand) => apply('neg', [a]);
export const mul = (a: Operand, b: Operand) => apply('mul', [a, b]);
export const div = (a: Operand, b: Operand) => apply('div', [a, b]);
export const exp = (a: Operand) => apply('exp', [a]);
export const log = (a: Operand) => apply('log', [a]);
export const tanh = (a: Operand) => apply('tanh', [a]);
export const sin = (a: Operand) => apply('sin', [a]);
export const cos = (a: Operand) => apply('cos', [a]);
export const square = (a: Operand) => apply('mul', [a, a]);
/** x·scale + shift with constant scale/shift (numbers or tensors broadcastable to the primal). */
export const scaleShift = (a: Operand, scale: number | tf.Tensor, shift?: number | tf.Tensor) =>
  apply('scaleShift', [a], { scale, shift });
export const scale = (a: Operand, s: number | tf.Tensor) => scaleShift(a, s);
export const shift = (a: Operand, c: number | tf.Tensor) => scaleShift(a, 1, c);
/** Integer power by repeated squaring through the product rule. */
export function powInt(a: Operand, n: number): Jet {
  if (!Number.isInteger(n) || n < 1) throw new Error(`powInt needs a positive integer exponent, got ${n}`);
  if (n === 1) return apply('scaleShift', [a], { scale: 1 });
  const half = powInt(a, Math.floor(n / 2));
  const sq = mul(half, half);
  return n % 2 ? mul(sq, a) : sq;
}
export const affine = (x: Operand, W: tf.Tensor, b?: tf.Tensor) => apply('affine', b ? [x, W, b] : [x, W]);
/** Σ_last x² */
export const sumSquares = (x: Operand) => apply('sumSquares', [x]);
/** Σ_last x ⊙ c */
export const dotConst = (x: Operand, c: tf.Tensor) => apply('dotConst', [x, c]);
export const sum = (x: Operand, axis = -1) => apply('sum', [x], { axis });
export const sliceLast = (x: Operand, begin: number, size: number) => apply('sliceLast', [x], { begin, size });
export const concatLast = (a: Operand, b: Operand) => apply('concatLast', [a, b]);
/** The weight-sharing layer: blocks of B inputs through one shared map ℝ^B → ℝ (W [B, 1], b [1]). */
export const blockAffine = (x: Operand, W: tf.Tensor, b: tf.Tensor, block: number) => apply('blockAffine', [x, W, b], { block });
