/**
 * Slot-assignment search: the cheapest set of jets (in the cost model of cost.ts) whose outputs
 * determine one term ∂^α u, given the jets already planned for other terms (their outputs are
 * free to read: that is how one pushforward serves several terms).
 *
 * Three kinds of candidates, all kept exact by construction:
 *  - a row of a jet already planned whose content contains α;
 *  - a slot assignment: e_v in slot s_v for each variable v of α, read at order K = Σ α_v s_v
 *    (method.md §3). It is *clean* when α is the only content of that order; otherwise every
 *    other content term must involve fewer variables than α (so the recursion terminates: pure
 *    terms ∂ᵏu/∂x_vᵏ are always clean with e_v in slot 1), and each is removed by planning it
 *    recursively — additional jets whose rows the final linear solve subtracts;
 *  - an interpolation set: jets (v, 0, …) read at order |α| with combined directions
 *    v = Σ c_v e_v (small integers), enough of them that α is solvable from their rows.
 */
import { pushforwardWork } from './cost.ts';
import { directionJet, jetKey, outputContent, slotJet, type JetSpec } from './jet-spec.ts';
import { key, totalOrder, variables, type MultiIndex } from './multi-index.ts';
import { solveReadout } from './linear-solve.ts';

export type Family = 'slots' | 'directions';
export const FAMILIES: Family[] = ['slots', 'directions'];

export interface PlannerOptions {
  /** The highest output order the planner may read (default 16; float32 loses digits with order). */
  maxOrder?: number;
  /** Candidate families (default both). */
  families?: Family[];
}

export const DEFAULT_MAX_ORDER = 16;

/** One output row: order `order` of jet `jet`. */
export interface Row {
  jet: JetSpec;
  order: number;
}

interface Context {
  jets: JetSpec[];
  /** The order the stacked pushforward already reaches. */
  K: number;
}

export interface Construction {
  /** Jets this term adds to the context. */
  added: JetSpec[];
  /** The rows its read-out combines. */
  rows: Row[];
  /** The pushforward order after adding it. */
  K: number;
  /** Marginal work units. */
  work: number;
}

const rowKey = (r: Row) => `${jetKey(r.jet)}@${r.order}`;
const contextKey = (c: Context) => `${c.jets.map(jetKey).sort().join(';')}#${c.K}`;

function union(jets: JetSpec[], more: JetSpec[]): JetSpec[] {
  const seen = new Set(jets.map(jetKey));
  const out = [...jets];
  for (const j of more) if (!seen.has(jetKey(j))) (seen.add(jetKey(j)), out.push(j));
  return out;
}

function uniqueRows(rows: Row[]): Row[] {
  const seen = new Set<string>();
  return rows.filter((r) => !seen.has(rowKey(r)) && (seen.add(rowKey(r)), true));
}

export function work(jets: JetSpec[], K: number): number {
  return pushforwardWork(
    jets.flatMap((j) => j.tangents.map((t) => t.slot)),
    K,
    jets.length,
  );
}

/** Injective slot assignments for α's variables with read order Σ α_v·s_v ≤ maxOrder, cheapest order first. */
export function slotAssignments(alpha: MultiIndex, maxOrder: number): { slots: Record<string, number>; order: number }[] {
  const vars = variables(alpha);
  if (vars.length === 1) return totalOrder(alpha) <= maxOrder ? [{ slots: { [vars[0]]: 1 }, order: totalOrder(alpha) }] : [];
  const out: { slots: Record<string, number>; order: number }[] = [];
  const rec = (i: number, used: Set<number>, slots: Record<string, number>, order: number) => {
    if (i === vars.length) return void out.push({ slots, order });
    for (let s = 1; order + alpha[vars[i]] * s <= maxOrder; s++) {
      if (used.has(s)) continue;
      rec(i + 1, new Set([...used, s]), { ...slots, [vars[i]]: s }, order + alpha[vars[i]] * s);
    }
  };
  rec(0, new Set(), {}, 0);
  return out.sort((a, b) => a.order - b.order);
}

/** The output orders at which jet t can contain α: each α_v spread over the slots carrying v. */
function readOrders(t: JetSpec, alpha: MultiIndex, maxOrder: number): number[] {
  let sums = new Set([0]);
  for (const v of variables(alpha)) {
    const slots = t.tangents.filter((x) => x.vector[v] !== undefined).map((x) => x.slot);
    if (slots.length === 0) return [];
    for (let n = 0; n < alpha[v]; n++) {
      const next = new Set<number>();
      for (const s of sums) for (const j of slots) if (s + j <= maxOrder) next.add(s + j);
      sums = next;
    }
  }
  return [...sums].sort((a, b) => a - b);
}

/** Primitive integer directions over `vars` with entries in [−2, 2], first non-zero positive, simplest first. */
function directionPool(vars: string[]): Record<string, number>[] {
  let vecs: number[][] = [[]];
  for (let i = 0; i < vars.length; i++) vecs = vecs.flatMap((v) => [0, 1, -1, 2, -2].map((c) => [...v, c]));
  const gcd = (a: number, b: number): number => (b ? gcd(b, a % b) : Math.abs(a));
  const keep = vecs.filter((v) => {
    const first = v.find((c) => c !== 0);
    return first !== undefined && first > 0 && v.reduce((g, c) => gcd(g, c), 0) === 1;
  });
  const nnz = (v: number[]) => v.filter((c) => c !== 0).length;
  const mx = (v: number[]) => Math.max(...v.map(Math.abs));
  keep.sort((a, b) => nnz(a) - nnz(b) || mx(a) - mx(b));
  return keep.map((v) => Object.fromEntries(vars.map((x, i) => [x, v[i]]).filter(([, c]) => c !== 0)));
}

export class SlotSearch {
  readonly maxOrder: number;
  readonly families: Family[];
  private memo = new Map<string, Construction | null>();
  private directionMemo = new Map<string, Row[] | null>();

  constructor(opts: PlannerOptions = {}) {
    this.maxOrder = opts.maxOrder ?? DEFAULT_MAX_ORDER;
    this.families = opts.families ?? FAMILIES;
  }

  /** The cheapest construction of α on top of `ctx`, or null if none within maxOrder. */
  best(alpha: MultiIndex, ctx: Context): Construction | null {
    const mk = `${key(alpha)}|${contextKey(ctx)}`;
    if (this.memo.has(mk)) return this.memo.get(mk)!;
    this.memo.set(mk, null); // a cycle guard; the fewer-variables rule below rules cycles out anyway
    const base = work(ctx.jets, ctx.K);
    let best: Construction | null = null;
    const consider = (c: Construction | null) => {
      if (c && (!best || c.work < best.work || (c.work === best.work && (c.K < best.K || (c.K === best.K && c.added.length < best.added.length))))) best = c;
    };
    const k = key(alpha);

    // Rows of jets already planned.
    for (const t of ctx.jets) {
      for (const order of readOrders(t, alpha, this.maxOrder)) {
        if (outputContent(t, order).has(k)) consider(this.resolve(alpha, { jet: t, order }, ctx, base, best));
      }
    }
    // Interpolation directions (found first: they bound the slot search below).
    if (this.families.includes('directions') && variables(alpha).length > 1) {
      const rows = this.directionRows(alpha);
      if (rows) {
        const jets = union(ctx.jets, rows.map((r) => r.jet));
        const K = Math.max(ctx.K, totalOrder(alpha));
        consider({ added: jets.slice(ctx.jets.length), rows, K, work: work(jets, K) - base });
      }
    }
    // Slot assignments.
    if (this.families.includes('slots') || variables(alpha).length === 1) {
      for (const { slots, order } of slotAssignments(alpha, this.maxOrder)) {
        const jet = slotJet(slots);
        const lower = work(union(ctx.jets, [jet]), Math.max(ctx.K, order)) - base;
        const b = best as Construction | null;
        if (b && lower > b.work) continue;
        consider(this.resolve(alpha, { jet, order }, ctx, base, b));
      }
    }
    this.memo.set(mk, best);
    return best;
  }

  /**
   * Read α from `row`, removing every other content term by planning it recursively. Only terms
   * with fewer variables than α may be removed this way (α's own kind would make the removal
   * circular); a row with another term of as many variables is rejected.
   */
  private resolve(alpha: MultiIndex, row: Row, ctx: Context, base: number, bound: Construction | null): Construction | null {
    const nv = variables(alpha).length;
    let jets = union(ctx.jets, [row.jet]);
    let K = Math.max(ctx.K, row.order);
    const rows: Row[] = [row];
    const content = outputContent(row.jet, row.order);
    for (const [k, term] of content) {
      if (k !== key(alpha) && variables(term.index).length >= nv) return null;
    }
    for (const [k, term] of content) {
      if (k === key(alpha)) continue;
      const sub = this.best(term.index, { jets, K });
      if (!sub) return null;
      jets = union(jets, sub.added);
      K = sub.K;
      rows.push(...sub.rows);
      if (bound && work(jets, K) - base > bound.work) return null; // already dearer than the best
    }
    return { added: jets.slice(ctx.jets.length), rows: uniqueRows(rows), K, work: work(jets, K) - base };
  }

  /** A minimal set of order-|α| direction jets whose rows determine α (independent of context). */
  private directionRows(alpha: MultiIndex): Row[] | null {
    const k = key(alpha);
    if (this.directionMemo.has(k)) return this.directionMemo.get(k)!;
    const order = totalOrder(alpha);
    let rows: Row[] | null = null;
    if (order <= this.maxOrder) {
      const picked: Row[] = [];
      const solves = (rs: Row[]) => solveReadout(rs.map((r) => outputContent(r.jet, r.order)), k) !== null;
      for (const v of directionPool(variables(alpha))) {
        picked.push({ jet: directionJet(v), order });
        if (solves(picked)) {
          rows = picked;
          break;
        }
      }
      // Drop directions the solve does not need, latest (most complicated) first.
      for (let i = rows ? rows.length - 1 : -1; i >= 0; i--) {
        const without = rows!.filter((_, j) => j !== i);
        if (solves(without)) rows = without;
      }
    }
    this.directionMemo.set(k, rows);
    return rows;
  }
}
