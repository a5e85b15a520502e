/**
 * Evaluating a plan: every jet of the plan becomes one direction (or R directions, when one of
 * its variables is bound to R sampled coordinates) of ONE pushforward to the plan's order; the
 * primal is shared. Each term is then its weighted sum of output rows.
 */
import * as tf from '@tensorflow/tfjs';
import { UsageError } from '../engine/errors.ts';
import { basis, derivative, inputJet, oneHotFloat, type Coeff, type Jet } from '../taylor/jet.ts';
import { jetVariables, type JetSpec } from './jet-spec.ts';
import type { Plan } from './plan.ts';

/** A variable's coordinate: one index, or R sampled indices (one per direction). */
export type Binding = number | number[] | tf.Tensor1D;

export interface PlanValues {
  /** u at the points, [N]. */
  u: tf.Tensor1D;
  /** Term key → value: [N], or [R, N] when the term's jets carry R bound coordinates. */
  values: Map<string, tf.Tensor>;
}

interface Resolved {
  /** int32 [R_v] or a single coordinate. */
  index: tf.Tensor1D | number;
}

function resolveBindings(plan: Plan, width: number, bind: Record<string, Binding>): { vars: Map<string, Resolved>; R: number } {
  const vars = new Map<string, Resolved>();
  let R = 1;
  let batchedBy: string | undefined;
  for (const v of new Set(plan.jets.flatMap(jetVariables))) {
    let b = bind[v];
    if (b === undefined) {
      if (!/^\d+$/.test(v)) throw new UsageError(`variable '${v}' of the plan is not bound to a coordinate`);
      b = Number(v);
    }
    if (typeof b === 'number') {
      if (!Number.isInteger(b) || b < 0 || b >= width) throw new UsageError(`variable ${v} = ${b} is not a coordinate index < ${width}`);
      vars.set(v, { index: b });
      continue;
    }
    const arr = Array.isArray(b);
    const n = arr ? (b as number[]).length : (b as tf.Tensor1D).shape[0];
    if (arr && (b as number[]).some((i) => !Number.isInteger(i) || i < 0 || i >= width)) {
      throw new UsageError(`variable ${v}: every sampled index must be a coordinate < ${width}`);
    }
    if (batchedBy !== undefined && n !== R) throw new UsageError(`variables ${batchedBy} and ${v} are bound to ${R} and ${n} indices; they must match`);
    batchedBy = v;
    R = n;
    vars.set(v, { index: arr ? tf.tensor1d(b as number[], 'int32') : (b as tf.Tensor1D) });
  }
  return { vars, R };
}

const batched = (j: JetSpec, vars: Map<string, Resolved>) => jetVariables(j).some((v) => typeof vars.get(v)!.index !== 'number');

/**
 * The tangent of one slot for all directions: a basis coefficient when every direction carries a
 * single unit basis vector there (the first affine layer then gathers rows of W), else a dense
 * [D, 1, width] tensor.
 */
function slotTangent(plan: Plan, slot: number, width: number, vars: Map<string, Resolved>, R: number): Coeff {
  const per = plan.jets.map((j) => ({ n: batched(j, vars) ? R : 1, vec: j.tangents.find((t) => t.slot === slot)?.vector }));
  if (per.every((p) => p.vec === undefined)) return null;
  const idx = (v: string, n: number) => {
    const i = vars.get(v)!.index;
    return typeof i === 'number' ? tf.fill([n], i, 'int32') : i;
  };
  const unit = per.every((p) => p.vec && Object.keys(p.vec).length === 1 && Object.values(p.vec)[0] === 1);
  if (unit) return basis(tf.concat(per.map((p) => idx(Object.keys(p.vec!)[0], p.n))) as tf.Tensor1D, width);
  const blocks = per.map((p) => {
    if (!p.vec) return tf.zeros([p.n, width]);
    return tf.addN(Object.entries(p.vec).map(([v, c]) => oneHotFloat(idx(v, p.n) as tf.Tensor1D, width, c)));
  });
  const dense = tf.concat(blocks, 0);
  return tf.reshape(dense, [dense.shape[0], 1, width]);
}

/**
 * Push the plan through f (a jet function: model, target, ansatz …) at points x [N, width].
 * `bind` maps variables to coordinates; numeric variables default to themselves.
 */
export function evaluatePlan(plan: Plan, f: (x: Jet) => Jet, x: tf.Tensor2D, bind: Record<string, Binding> = {}): PlanValues {
  const [n, width] = x.shape;
  const { vars, R } = resolveBindings(plan, width, bind);
  const tangents = [...Array(plan.order).keys()].map((k) => slotTangent(plan, k + 1, width, vars, R));
  const out = plan.order > 0 ? f(inputJet(x, tangents)) : f(inputJet(x, []));
  const D = plan.jets.reduce((s, j) => s + (batched(j, vars) ? R : 1), 0);
  const offsets: number[] = [];
  plan.jets.reduce((o, j) => (offsets.push(o), o + (batched(j, vars) ? R : 1)), 0);
  const rowsCache = new Map<number, tf.Tensor>();
  const ordersOut = (k: number) => {
    let y = rowsCache.get(k);
    if (!y) rowsCache.set(k, (y = tf.broadcastTo(derivative(out, k), [D, n])));
    return y;
  };
  const values = new Map<string, tf.Tensor>();
  for (const t of plan.terms) {
    if (t.rows.length === 0) {
      values.set(t.key, out.primal);
      continue;
    }
    const parts = t.rows.map((r) => {
      const size = batched(plan.jets[r.jetIndex], vars) ? R : 1;
      const rows = size === D ? ordersOut(r.order) : tf.slice(ordersOut(r.order), [offsets[r.jetIndex], 0], [size, n]);
      const w = r.weight.toNumber();
      return w === 1 ? rows : tf.mul(rows, w); // kernels skipped: each costs tens of µs of dispatch
    });
    const sum = parts.length === 1 ? parts[0] : parts.reduce((a, b) => tf.add(a, b));
    values.set(t.key, sum.shape[0] === 1 && !t.rows.some((r) => batched(plan.jets[r.jetIndex], vars)) ? tf.reshape(sum, [n]) : sum);
  }
  return { u: out.primal as tf.Tensor1D, values };
}
