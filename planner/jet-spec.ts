/**
 * A planned jet, symbolically: which tangent slot carries which vector. A slot's vector is an
 * integer combination of basis vectors of the term's variables (usually one basis vector e_v; the
 * interpolation family uses sums such as e_i − e_j). What each output order of the jet contains is
 * `outputContent`: Faà di Bruno in jet form, with every slot vector expanded multilinearly into
 * partial derivatives.
 */
import { bigFactorial, faaDiBrunoCoefficient, slotPartitions } from './faa-di-bruno.ts';
import { key, multiIndex, variableName, type MultiIndex } from './multi-index.ts';

export interface SlotTangent {
  /** Slot j ≥ 1 (derivative-scaled tangent v⁽ʲ⁾). */
  slot: number;
  /** The vector as variable → integer coefficient (no zero entries). */
  vector: Readonly<Record<string, number>>;
}

export interface JetSpec {
  /** Non-zero tangents, by increasing slot; the other slots hold 0. */
  tangents: readonly SlotTangent[];
}

/** The jet with e_v in slot slots[v] for each variable v. */
export function slotJet(slots: Record<string, number>): JetSpec {
  const tangents = Object.entries(slots).map(([v, slot]) => ({ slot, vector: { [v]: 1 } }));
  return jetSpec(tangents);
}

/** The jet (v, 0, 0, …) with one combined direction v = Σ c_v e_v in slot 1. */
export function directionJet(vector: Record<string, number>): JetSpec {
  return jetSpec([{ slot: 1, vector }]);
}

export function jetSpec(tangents: SlotTangent[]): JetSpec {
  const sorted = tangents
    .map((t) => ({ slot: t.slot, vector: Object.fromEntries(Object.entries(t.vector).filter(([, c]) => c !== 0)) }))
    .filter((t) => Object.keys(t.vector).length > 0)
    .sort((a, b) => a.slot - b.slot);
  sorted.forEach((t, i) => {
    if (!Number.isInteger(t.slot) || t.slot < 1) throw new Error(`jet slot must be a positive integer, got ${t.slot}`);
    if (i > 0 && sorted[i - 1].slot === t.slot) throw new Error(`jet slot ${t.slot} given twice`);
  });
  return { tangents: sorted };
}

export function vectorText(vector: Readonly<Record<string, number>>): string {
  return Object.entries(vector)
    .map(([v, c], i) => {
      const sign = c < 0 ? (i ? ' − ' : '−') : i ? ' + ' : '';
      const mag = Math.abs(c) === 1 ? '' : `${Math.abs(c)}·`;
      return `${sign}${mag}e_${variableName(v)}`;
    })
    .join('');
}

/** Canonical text, e.g. "2:e_0,3:e_1": identical jets are pushed once. */
const jetKeys = new WeakMap<JetSpec, string>();
export function jetKey(j: JetSpec): string {
  let k = jetKeys.get(j);
  if (k === undefined) jetKeys.set(j, (k = j.tangents.map((t) => `${t.slot}:${vectorText(t.vector)}`).join(',')));
  return k;
}

export function jetVariables(j: JetSpec): string[] {
  return [...new Set(j.tangents.flatMap((t) => Object.keys(t.vector)))];
}

/** "(0, e_x0, e_x1, 0, 0, 0, 0)" for a jet of order K. */
export function jetText(j: JetSpec, K: number): string {
  const slots = Array<string>(K).fill('0');
  for (const t of j.tangents) if (t.slot <= K) slots[t.slot - 1] = vectorText(t.vector);
  return `(${slots.join(', ')})`;
}

/** One entry of an output's content: coeff · ∂^index u. */
export interface ContentTerm {
  index: MultiIndex;
  coeff: bigint;
}

const contentCache = new Map<string, Map<string, ContentTerm>>();

/**
 * The derivative-scaled output of order K as a combination of partial derivatives, keyed by
 * multi-index key. D^{|p|}u[w₁ × p₁, …] expands multilinearly: slot t contributes, for each split
 * q of p_t over its vector's variables, the multinomial p_t!/Π q_v! times Π c_v^{q_v}.
 */
export function outputContent(j: JetSpec, K: number): Map<string, ContentTerm> {
  const ck = `${jetKey(j)}@${K}`;
  const hit = contentCache.get(ck);
  if (hit) return hit;
  const slots = j.tangents.map((t) => t.slot);
  const out = new Map<string, ContentTerm>();
  for (const p of slotPartitions(slots, K)) {
    let terms: { counts: Record<string, number>; coeff: bigint }[] = [{ counts: {}, coeff: faaDiBrunoCoefficient(slots, p) }];
    j.tangents.forEach((t, ti) => {
      const next: typeof terms = [];
      for (const split of splits(p[ti], Object.keys(t.vector))) {
        let c = bigFactorial(p[ti]);
        for (const [v, q] of Object.entries(split)) c = (c / bigFactorial(q)) * BigInt(t.vector[v]) ** BigInt(q);
        for (const term of terms) {
          const counts = { ...term.counts };
          for (const [v, q] of Object.entries(split)) counts[v] = (counts[v] ?? 0) + q;
          next.push({ counts, coeff: term.coeff * c });
        }
      }
      terms = next;
    });
    for (const term of terms) {
      const index = multiIndex(term.counts);
      const k = key(index);
      const prev = out.get(k);
      const coeff = (prev?.coeff ?? 0n) + term.coeff;
      if (coeff === 0n) out.delete(k);
      else out.set(k, { index, coeff });
    }
  }
  contentCache.set(ck, out);
  return out;
}

/** Every way to write n as an ordered sum of counts over `vars`. */
function splits(n: number, vars: string[]): Record<string, number>[] {
  if (vars.length === 1) return [{ [vars[0]]: n }];
  const out: Record<string, number>[] = [];
  for (let q = 0; q <= n; q++) for (const rest of splits(n - q, vars.slice(1))) out.push({ [vars[0]]: q, ...rest });
  return out;
}
