/**
 * The planner's entry point: terms in, one stacked pushforward out.
 *
 * `planTerms` plans the requested partial derivatives together, hardest first, each on top of the
 * jets already chosen for the others (so u_j, u_ii and u_iij share the 7-jet that u_iij needs).
 * All jets of a plan are pushed as one batch of directions to the plan's order; every term is a
 * weighted sum of output rows, with exact weights from the linear solve of linear-solve.ts.
 */
import { UsageError } from '../engine/errors.ts';
import { Rational } from './rational.ts';
import { jetKey, outputContent, type JetSpec } from './jet-spec.ts';
import { formatPartial, key, totalOrder, variables, type MultiIndex } from './multi-index.ts';
import { solveReadout } from './linear-solve.ts';
import { SlotSearch, work, type PlannerOptions, type Row } from './search.ts';

export type { PlannerOptions, Row };

export interface PlannedRow extends Row {
  /** Index into Plan.jets. */
  jetIndex: number;
  /** Exact weight of this row in the term's value. */
  weight: Rational;
}

export interface PlannedTerm {
  index: MultiIndex;
  key: string;
  /** value = Σ weight·row; empty for u itself (the primal). */
  rows: PlannedRow[];
  /** True when a single row isolates the term (no contamination to remove). */
  clean: boolean;
}

export interface Plan {
  /** Order of the one pushforward (the highest output order read). */
  order: number;
  jets: JetSpec[];
  terms: PlannedTerm[];
  /** Work units (cost.ts) per bound direction. */
  work: number;
}

export function planTerms(terms: MultiIndex[], opts: PlannerOptions = {}): Plan {
  const search = new SlotSearch(opts);
  const unique = [...new Map(terms.map((t) => [key(t), t])).values()];
  // Hardest first: the jets of high-order mixed terms usually carry the easy ones for free.
  const hardest = [...unique].sort(
    (a, b) => totalOrder(b) - totalOrder(a) || variables(b).length - variables(a).length || key(a).localeCompare(key(b)),
  );
  let ctx = { jets: [] as JetSpec[], K: 0 };
  const rowsOf = new Map<string, Row[]>();
  for (const t of hardest) {
    if (totalOrder(t) === 0) {
      rowsOf.set(key(t), []);
      continue;
    }
    const c = search.best(t, ctx);
    if (!c) throw new UsageError(`no jet plan for ${formatPartial(t)} within output order ${search.maxOrder}`);
    ctx = { jets: [...ctx.jets, ...c.added], K: c.K };
    rowsOf.set(key(t), c.rows);
  }

  const jets: JetSpec[] = [];
  const jetIndex = (j: JetSpec) => {
    const i = jets.findIndex((x) => jetKey(x) === jetKey(j));
    return i >= 0 ? i : jets.push(j) - 1;
  };
  const planned = unique.map((t): PlannedTerm => {
    const rows = rowsOf.get(key(t))!;
    if (rows.length === 0) return { index: t, key: key(t), rows: [], clean: true };
    const w = solveReadout(rows.map((r) => outputContent(r.jet, r.order)), key(t));
    if (!w) throw new Error(`internal: the rows planned for ${formatPartial(t)} do not determine it`);
    const used = rows.map((r, i) => ({ ...r, weight: w[i] })).filter((r) => !r.weight.isZero());
    return {
      index: t,
      key: key(t),
      rows: used.map((r) => ({ ...r, jetIndex: jetIndex(r.jet) })),
      clean: used.length === 1 && outputContent(used[0].jet, used[0].order).size === 1,
    };
  });
  const order = Math.max(0, ...planned.flatMap((t) => t.rows.map((r) => r.order)));
  return { order, jets, terms: planned, work: work(jets, order) };
}

const planCache = new Map<string, Plan>();

/** planTerms, memoized on the terms and options (a training loop asks for the same plan every step). */
export function cachedPlan(terms: MultiIndex[], opts: PlannerOptions = {}): Plan {
  const k = `${terms.map(key).join(';')}|${opts.maxOrder ?? ''}|${(opts.families ?? []).join(',')}`;
  let p = planCache.get(k);
  if (!p) planCache.set(k, (p = planTerms(terms, opts)));
  return p;
}

/** The exact weight of every row of a term, as a check that Σ weight·content is the term alone. */
export function verifyTerm(t: PlannedTerm): boolean {
  const total = new Map<string, Rational>();
  for (const r of t.rows) {
    for (const [k, c] of outputContent(r.jet, r.order)) total.set(k, (total.get(k) ?? Rational.ZERO).add(r.weight.mul(Rational.of(c.coeff))));
  }
  return [...total].every(([k, v]) => (k === t.key ? v.equals(Rational.ONE) : v.isZero())) && (t.rows.length === 0 || total.has(t.key));
}
