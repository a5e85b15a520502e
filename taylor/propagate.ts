/**
 * The generic propagation loop: look up the primitive's rule, align the inputs, run it. Collapsed
 * jets (method.md §9) are handled here once for every rule: the top coefficient of any rule is
 * f'(x₀)·x_K + P_K(x₀…x_{K−1}), so the summed top is Σ_r P_K + JVP(Σ_r x_K), where P_K is the
 * rule's top output with x_K set to zero and the JVP is the same rule at order 1.
 */
import * as tf from '@tensorflow/tfjs';
import { type BasisCoeff, type Coeff, type Jet, basis, densify, isBasis } from './jet.ts';
import { RULES, type Rule } from './rules.ts';

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

/**
 * An elementwise op on a jet whose tangents are all basis columns with the same indices: only those
 * columns move, so the rule runs on the gathered columns [R, N] and the result stays one column per
 * direction (the weight-sharing layer's output at d = 10⁶ would otherwise be [R, N, d/B] per order).
 */
function onColumns(rule: Rule, j: Jet, attrs: Record<string, unknown>): Jet | null {
  const cols = j.series.filter((c): c is BasisCoeff => c !== null && isBasis(c));
  const nonNull = j.series.filter((c) => c !== null);
  if (!rule.elementwise || j.collapsed || j.primal.rank !== 2 || cols.length === 0 || cols.length !== nonNull.length) return null;
  const { indices, dim } = cols[0];
  if (cols.some((c) => c.indices !== indices)) return null;
  const R = indices.shape[0];
  const x0 = tf.transpose(tf.gather(j.primal, indices, 1)); // [R, N]
  const values = j.series.map((c) => (c === null ? null : (c as BasisCoeff).values ? tf.mul((c as BasisCoeff).values!, (c as BasisCoeff).scale) : tf.fill([R, 1], (c as BasisCoeff).scale)));
  const out = rule([x0], [values], attrs);
  const primal = rule([j.primal], [[]], attrs).primal;
  return { primal, series: out.series.map((v) => (v === null ? null : basis(indices, dim, 1, v as tf.Tensor))) };
}

export function apply(prim: string, operands: Operand[], attrs: Record<string, unknown> = {}): Jet {
  const rule = RULES[prim];
  if (!rule) throw new Error(`no Taylor rule for primitive '${prim}'`);
  const jets = operands.map(lift);
  if (jets.length === 1) {
    const sparse = onColumns(rule, jets[0], attrs);
    if (sparse) return sparse;
  }
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
  if (rule.collapsed) {
    const own = rule.collapsed(primals, series.map((s, n) => [...s.slice(0, K - 1), tops[n]]));
    if (own) return { ...own, collapsed: true };
  }
  const lower = rule(primals, series.map((s) => [...s.slice(0, K - 1), null]), attrs);
  const pTop = sumDirections(lower.series[K - 1], lower.primal.rank);
  const jvp = tops.some((t) => t !== null) ? rule(primals, tops.map((t) => [t]), attrs).series[0] : null;
  const jvpT = densify(jvp, lower.primal.rank);
  const top = pTop === null ? jvpT : jvpT === null ? pTop : tf.add(pTop, jvpT);
  return { primal: lower.primal, series: [...lower.series.slice(0, K - 1), top], collapsed: true };
}
