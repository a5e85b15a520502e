/**
 * Multi-indices α: which partial derivative ∂^α u. Variables are labels: a coordinate index
 * ("0", "1", …) or a symbolic name ("i", "j") that is bound to coordinates at evaluation time
 * (e.g. the sampled index pairs of the gPINN terms). The representation is a plain record
 * { variable: count } with positive counts; `key` gives its canonical text form "0:2,1:1".
 */
import { UsageError } from '../engine/errors.ts';

export type MultiIndex = Readonly<Record<string, number>>;

/** Coordinates first, numerically; then names, alphabetically. */
const isCoordinate = (v: string) => /^\d+$/.test(v);
const byVariable = (a: string, b: string) => {
  const ca = isCoordinate(a);
  const cb = isCoordinate(b);
  if (ca && cb) return Number(a) - Number(b);
  if (ca !== cb) return ca ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
};
const VARIABLE = /^(\d+|[A-Za-z_][A-Za-z0-9_]*)$/;

/** A normalized multi-index (zero counts dropped, variables sorted). */
export function multiIndex(counts: Record<string, number>): MultiIndex {
  const out: Record<string, number> = {};
  for (const v of Object.keys(counts).sort(byVariable)) {
    const n = counts[v];
    if (!Number.isInteger(n) || n < 0) throw new UsageError(`derivative count of '${v}' must be a non-negative integer, got ${n}`);
    if (n > 0) out[v] = n;
  }
  return Object.freeze(out);
}

const variablesCache = new WeakMap<MultiIndex, string[]>();
const keyCache = new WeakMap<MultiIndex, string>();

export function variables(a: MultiIndex): string[] {
  let v = variablesCache.get(a);
  if (!v) variablesCache.set(a, (v = Object.keys(a).sort(byVariable)));
  return v;
}

/** Total order |α|. */
export function totalOrder(a: MultiIndex): number {
  return Object.values(a).reduce((s, n) => s + n, 0);
}

export function key(a: MultiIndex): string {
  let k = keyCache.get(a);
  if (k === undefined) keyCache.set(a, (k = variables(a).map((v) => `${v}:${a[v]}`).join(',')));
  return k;
}

/** Parse "0:2,1:1" (∂³u/∂x₀²∂x₁). A bare variable means count 1: "0,0,1" is the same term. */
export function parseMultiIndex(text: string): MultiIndex {
  const counts: Record<string, number> = {};
  const parts = text.split(',').map((s) => s.trim());
  if (text.trim() === '' || parts.some((p) => p === '')) throw new UsageError(`malformed partial '${text}': expected e.g. "0:2,1:1"`);
  for (const p of parts) {
    const m = /^([^:\s]+)(?::(\d+))?$/.exec(p);
    if (!m || !VARIABLE.test(m[1])) throw new UsageError(`malformed partial '${text}': '${p}' is not variable[:count]`);
    const n = m[2] === undefined ? 1 : Number(m[2]);
    if (n < 1) throw new UsageError(`malformed partial '${text}': count of '${m[1]}' must be ≥ 1`);
    counts[m[1]] = (counts[m[1]] ?? 0) + n;
  }
  return multiIndex(counts);
}

const SUPERSCRIPT = '⁰¹²³⁴⁵⁶⁷⁸⁹';
const sup = (n: number) => (n === 1 ? '' : [...String(n)].map((c) => SUPERSCRIPT[Number(c)]).join(''));
/** Coordinates print as x0, x1; symbolic names as themselves. */
export const variableName = (v: string) => (isCoordinate(v) ? `x${v}` : v);

/** "∂³u/∂x0²∂x1"; the empty multi-index is u itself. */
export function formatPartial(a: MultiIndex): string {
  const vs = variables(a);
  if (vs.length === 0) return 'u';
  return `∂${sup(totalOrder(a))}u/${vs.map((v) => `∂${variableName(v)}${sup(a[v])}`).join('')}`;
}

export function add(a: MultiIndex, b: MultiIndex): MultiIndex {
  const c: Record<string, number> = { ...a };
  for (const [v, n] of Object.entries(b)) c[v] = (c[v] ?? 0) + n;
  return multiIndex(c);
}

/** The variables in differentiation order, with repetition: {0:2,1:1} → ["0","0","1"]. */
export function expand(a: MultiIndex): string[] {
  return variables(a).flatMap((v) => Array<string>(a[v]).fill(v));
}

/** Every β ≤ α componentwise (for the Leibniz rule), with Π_v C(α_v, β_v). */
export function lowerIndices(a: MultiIndex): { index: MultiIndex; binomial: number }[] {
  let out: { counts: Record<string, number>; binomial: number }[] = [{ counts: {}, binomial: 1 }];
  for (const v of variables(a)) {
    const next: typeof out = [];
    for (const o of out) for (let k = 0; k <= a[v]; k++) next.push({ counts: { ...o.counts, [v]: k }, binomial: o.binomial * binomial(a[v], k) });
    out = next;
  }
  return out.map((o) => ({ index: multiIndex(o.counts), binomial: o.binomial }));
}

export function subtract(a: MultiIndex, b: MultiIndex): MultiIndex {
  const c: Record<string, number> = { ...a };
  for (const [v, n] of Object.entries(b)) c[v] = (c[v] ?? 0) - n;
  return multiIndex(c);
}

function binomial(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return r;
}

/** Every multi-index over `vars` with total order 1…maxOrder (for exhaustive checks). */
export function allMultiIndices(vars: string[], maxOrder: number): MultiIndex[] {
  const out: MultiIndex[] = [];
  const rec = (i: number, left: number, counts: Record<string, number>) => {
    if (i === vars.length) {
      if (left < maxOrder) out.push(multiIndex(counts));
      return;
    }
    for (let n = 0; n <= left; n++) rec(i + 1, left - n, { ...counts, [vars[i]]: n });
  };
  rec(0, maxOrder, {});
  return out.sort((a, b) => totalOrder(a) - totalOrder(b) || key(a).localeCompare(key(b)));
}
