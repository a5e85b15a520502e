/**
 * What an operator is applied to: u(x) = a(x)·N(x) + b(x), a network N with an optional explicit
 * ansatz (pdes.md §1.3, §6). a and b are jet functions, so every estimator pushes jets through the
 * whole composite; only the methods that differentiate N by its explicit reverse pass
 * (forward-over-backward, jvp-hvp) need the split: they fold a and b in by `withAnsatz`.
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
import { cachedPlan } from '../planner/plan.ts';
import { evaluatePlan, type Binding, type PlanValues } from '../planner/evaluate.ts';
import { key, lowerIndices, subtract, totalOrder, type MultiIndex } from '../planner/multi-index.ts';

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

/**
 * Partials of u = a·N + b from the network's partials N (keyed by multi-index, '' for N itself), for
 * each γ in `gammas`: ∂^γ u = Σ_{β ≤ γ} C(γ, β) ∂^β a ∂^{γ−β} N + ∂^γ b (Leibniz), with a's and b's
 * partials from one planned pushforward each. N must hold every partial below the γs. Without an
 * ansatz these are N's own.
 */
export function withAnsatz(t: Target, x: tf.Tensor2D, N: Record<string, tf.Tensor>, gammas: MultiIndex[], bind: Record<string, Binding>): Record<string, tf.Tensor> {
  const { ansatz } = t;
  if (!ansatz?.scale && !ansatz?.shift) return Object.fromEntries(gammas.map((g) => [key(g), N[key(g)]]));
  const lower = new Map(gammas.flatMap(lowerIndices).filter((b) => totalOrder(b.index) > 0).map((b) => [key(b.index), b.index]));
  const partialsOf = (g: JetFunction) => evaluatePlan(cachedPlan([...lower.values()]), g, x, bind);
  const A = ansatz.scale ? partialsOf(ansatz.scale) : undefined;
  const B = ansatz.shift ? partialsOf(ansatz.shift) : undefined;
  const of = (p: PlanValues, g: MultiIndex) => (totalOrder(g) === 0 ? p.u : p.values.get(key(g))!);
  const leibniz = (gamma: MultiIndex) => {
    const term = (b: { index: MultiIndex; binomial: number }) => tf.mul(of(A!, b.index), N[key(subtract(gamma, b.index))]);
    const parts = A ? lowerIndices(gamma).map((b) => (b.binomial === 1 ? term(b) : tf.mul(term(b), b.binomial))) : [N[key(gamma)]];
    if (B) parts.push(of(B, gamma));
    return parts.reduce((p, q) => tf.add(p, q));
  };
  return Object.fromEntries(gammas.map((g) => [key(g), leibniz(g)]));
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
