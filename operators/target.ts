/**
 * What an operator is applied to: u(x) = a(x)·N(x) + b(x), a network N with an optional explicit
 * ansatz (pdes.md §1.3, §6). a and b are jet functions, so every estimator pushes jets through the
 * whole composite; only forward-over-backward, which differentiates N by its explicit reverse pass,
 * needs the split (it applies the product rule, see baselines/forward-over-backward.ts).
 *
 * N may also be a closed-form jet function instead of a network: what an estimated source term
 * differentiates (the exact solution, O4; benchmarks/pdes/estimated-source.ts). The methods that need
 * the network's layers ask for them with `networkOf`.
 */
import * as tf from '@tensorflow/tfjs';
import * as J from '../taylor/ops.ts';
import type { Jet, Operand } from '../taylor/ops.ts';
import { constant } from '../taylor/jet.ts';
import { applyMLP, type MLP } from '../model/mlp.ts';
import { UsageError } from '../engine/errors.ts';

export interface Ansatz {
  name: string;
  /** a(x); absent means 1. */
  scale?: (x: Operand) => Jet;
  /** b(x); absent means 0. */
  shift?: (x: Operand) => Jet;
}

/** A function of the points in the jet algebra (plain tensors in, a constant jet out). */
export type JetFunction = (x: Operand) => Jet;

export interface Target {
  /** The network N, or a closed-form function in its place. */
  model: MLP | JetFunction;
  ansatz?: Ansatz;
}

/** The target's network, for a method that differentiates its layers explicitly. */
export function networkOf(t: Target, method: string): MLP {
  if (typeof t.model === 'function') throw new UsageError(`${method} differentiates a network's layers; it cannot be applied to a closed-form function`);
  return t.model;
}

export function applyTarget(t: Target, x: Operand): Jet {
  let u = typeof t.model === 'function' ? t.model(x) : applyMLP(t.model, x);
  if (t.ansatz?.scale) u = J.mul(t.ansatz.scale(x), u);
  if (t.ansatz?.shift) u = J.add(u, t.ansatz.shift(x));
  return u;
}

/** u on plain points [N, d+extra] → [N]. */
export function evalTarget(t: Target, x: tf.Tensor): tf.Tensor1D {
  return applyTarget(t, constant(x)).primal as tf.Tensor1D;
}

/** The zero-boundary ansatz on the unit ball: a(x) = 1 − ‖x‖² over the d spatial coordinates. */
export function zeroBoundaryBall(d: number, extraInputs = 0, radius = 1): Ansatz {
  return {
    name: 'zero-boundary-ball',
    scale: (x) => J.scaleShift(J.sumSquares(extraInputs ? J.sliceLast(x, 0, d) : x), -1, radius * radius),
  };
}
