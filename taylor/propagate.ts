/**
 * The generic propagation loop: look up the primitive's rule, align the inputs, run it. Collapsed
 * jets (method.md §9) are handled here once for every rule: the top coefficient of any rule is
 * f'(x₀)·x_K + P_K(x₀…x_{K−1}), so the summed top is Σ_r P_K + JVP(Σ_r x_K), where P_K is the
 * rule's top output with x_K set to zero and the JVP is the same rule at order 1.
 */
import * as tf from '@tensorflow/tfjs';
import { type Coeff, type Jet, densify, isBasis } from './jet.ts';
import { RULES } from './rules.ts';

export type Operand = Jet | tf.Tensor;

function lift(x: Operand): Jet {
  return x instanceof tf.Tensor ? { primal: x, series: [] } : x;
}

function pad(s: Coeff[], K: number): Coeff[] {
  return s.length >= K ? s : [...s, ...Array<Coeff>(K - s.length).fill(null)];
}

function sumDirections(c: Coeff, rank: number): tf.Tensor | null {
  const t = densify(c, rank);
  return t === null ? null : tf.sum(t, 0);
}

export function apply(prim: string, operands: Operand[], attrs: Record<string, unknown> = {}): Jet {
  const rule = RULES[prim];
  if (!rule) throw new Error(`no Taylor rule for primitive '${prim}'`);
  const jets = operands.map(lift);
  const K = Math.max(0, ...jets.map((j) => j.series.length));
  const primals = jets.map((j) => j.primal);
  const series = jets.map((j) => {
    const s = pad(j.series, K);
    return rule.acceptsBasis ? s : s.map((c) => (isBasis(c) ? densify(c, j.primal.rank) : c));
  });
  const collapsed = jets.some((j) => j.collapsed && j.series.length === K);
  if (!collapsed || K === 0) return rule(primals, series, attrs);

  // Collapsed: per-direction orders 1…K−1, one direction-summed top.
  const tops = jets.map((j, n) =>
    j.series.length < K ? null : j.collapsed ? densify(series[n][K - 1], j.primal.rank) : sumDirections(series[n][K - 1], j.primal.rank),
  );
  const lower = rule(primals, series.map((s) => [...s.slice(0, K - 1), null]), attrs);
  const pTop = sumDirections(lower.series[K - 1], lower.primal.rank);
  const jvp = tops.some((t) => t !== null) ? rule(primals, tops.map((t) => [t]), attrs).series[0] : null;
  const jvpT = densify(jvp, lower.primal.rank);
  const top = pTop === null ? jvpT : jvpT === null ? pTop : tf.add(pTop, jvpT);
  return { primal: lower.primal, series: [...lower.series.slice(0, K - 1), top], collapsed: true };
}
