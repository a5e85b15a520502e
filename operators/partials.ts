/**
 * Arbitrary partial derivatives ∂^α u of a Target, by two mechanisms:
 *  - stde: the planner's jets (planner/), all requested terms from one stacked pushforward;
 *  - nested: repeated reverse mode, one tf.grad per derivative order (the "Backward" baseline
 *    of the high-order PDEs, method.md §11).
 * The JVP-HVP baseline of the gPINN terms is operators/jvp-hvp.ts.
 *
 * Variables are coordinates ("0", "1", …) or names bound to coordinates. Binding a name to R
 * sampled indices (e.g. the gPINN pairs i_k, j_k) gives [R, N] values, one row per index.
 */
import * as tf from '@tensorflow/tfjs';
import { UsageError } from '../engine/errors.ts';
import { applyTarget, evalTarget, type Target } from './target.ts';
import { reversePartials } from './reverse.ts';
import { cachedPlan, type Plan, type PlannerOptions } from '../planner/plan.ts';
import { evaluatePlan, type Binding } from '../planner/evaluate.ts';
import { explainJson, explainText } from '../planner/explain.ts';
import { expand, formatPartial, key, totalOrder, variableName, variables, type MultiIndex } from '../planner/multi-index.ts';

export interface PartialsRequest {
  target: Target;
  /** Points [N, width]. */
  x: tf.Tensor2D;
  terms: MultiIndex[];
  bind?: Record<string, Binding>;
  planner?: PlannerOptions;
}

export interface PartialsResult {
  u: tf.Tensor1D;
  /** One value per requested term, in request order: [N], or [R, N] for sampled bindings. */
  values: tf.Tensor[];
}

export interface Explanation {
  text: string;
  json: unknown;
}

export interface PartialEstimator {
  name: string;
  summary: string;
  partials(req: PartialsRequest): PartialsResult;
  explain(terms: MultiIndex[], planner?: PlannerOptions): Explanation;
}

export function planFor(terms: MultiIndex[], opts?: PlannerOptions): Plan {
  return cachedPlan(terms, opts);
}

export const plannedPartials: PartialEstimator = {
  name: 'stde',
  summary: 'planned Taylor jets (Faà di Bruno in jet form), every term from one stacked pushforward',
  partials({ target, x, terms, bind, planner }) {
    const plan = planFor(terms, planner);
    const r = evaluatePlan(plan, (xj) => applyTarget(target, xj), x, bind);
    return { u: r.u, values: terms.map((t) => r.values.get(key(t))!) };
  },
  explain(terms, planner) {
    const plan = planFor(terms, planner);
    return { text: explainText(plan), json: { estimator: 'stde', plan: explainJson(plan) } };
  },
};

/** Whether any of `vars` is bound to sampled coordinates (a list): the term then has a leading axis of R rows. */
export const isSampled = (vars: string[], bind: Record<string, Binding> | undefined): boolean =>
  Boolean(bind && vars.some((v) => bind[v] !== undefined && typeof bind[v] !== 'number'));

/** Coordinates of every variable for each of the R bound directions (R = 1 without sampling). */
export function bindingRows(vars: string[], width: number, bind: Record<string, Binding> = {}): Record<string, number>[] {
  let R: number | undefined;
  const lists = new Map<string, number[] | number>();
  for (const v of vars) {
    const b = bind[v] ?? (/^\d+$/.test(v) ? Number(v) : undefined);
    if (b === undefined) throw new UsageError(`variable '${v}' is not bound to a coordinate`);
    const list = typeof b === 'number' ? b : Array.isArray(b) ? b : Array.from(b.dataSync());
    if (typeof list !== 'number') {
      if (R !== undefined && list.length !== R) throw new UsageError(`sampled bindings have different lengths (${R} and ${list.length})`);
      R = list.length;
    }
    for (const i of typeof list === 'number' ? [list] : list) {
      if (!Number.isInteger(i) || i < 0 || i >= width) throw new UsageError(`variable ${variableName(v)} = ${i} is not a coordinate index < ${width}`);
    }
    lists.set(v, list);
  }
  return [...Array(R ?? 1).keys()].map((r) => Object.fromEntries(vars.map((v) => [v, ((l) => (typeof l === 'number' ? l : l[r]))(lists.get(v)!)])));
}

/** ∂^α f at every point by repeated reverse mode (operators/reverse.ts), α at the given coordinates. */
export function nestedPartial(f: (x: tf.Tensor) => tf.Tensor, x: tf.Tensor2D, alpha: MultiIndex, coords: Record<string, number> = {}): tf.Tensor1D {
  return reversePartials(f as (y: tf.Tensor) => tf.Tensor1D, x, [expand(alpha).map((v) => coords[v] ?? Number(v))])[0];
}

export const nestedPartials: PartialEstimator = {
  name: 'nested',
  summary: 'repeated reverse mode (one nested tf.grad per derivative order), one term and sampled index at a time',
  partials({ target, x, terms, bind }) {
    const f = (y: tf.Tensor) => evalTarget(target, y);
    const values = terms.map((t) => {
      const rows = bindingRows(variables(t), x.shape[1], bind).map((c) => nestedPartial(f, x, t, c));
      return isSampled(variables(t), bind) ? tf.stack(rows) : rows[0];
    });
    return { u: evalTarget(target, x), values };
  },
  explain(terms) {
    const lines = terms.map(
      (t) => `${formatPartial(t)}   [--partial ${key(t)}]: ${totalOrder(t)} nested tf.grad calls along ${expand(t).map(variableName).join(', ')}`,
    );
    return { text: ['nested reverse mode (no jets):', ...lines].join('\n'), json: { estimator: 'nested', terms: terms.map((t) => ({ partial: key(t), grads: expand(t) })) } };
  },
};
