/**
 * `--explain`: a plan in words (or JSON) — the jets with what each slot carries, the output rows
 * each term reads with their full Faà di Bruno content (so contamination is visible), and the
 * exact read-out formula.
 */
import { lcm, Rational } from './rational.ts';
import { jetText, outputContent, type ContentTerm } from './jet-spec.ts';
import { formatPartial, key, totalOrder, variables } from './multi-index.ts';
import type { Plan, PlannedTerm } from './plan.ts';

export const jetName = (i: number) => (i < 26 ? String.fromCharCode(65 + i) : `J${i}`);
const SUB = '₀₁₂₃₄₅₆₇₈₉';
const SUP = '⁰¹²³⁴⁵⁶⁷⁸⁹';
const sub = (n: number) => [...String(n)].map((c) => SUB[Number(c)]).join('');
const sup = (n: number) => [...String(n)].map((c) => SUP[Number(c)]).join('');
const safe = (b: bigint) => (b <= BigInt(Number.MAX_SAFE_INTEGER) && b >= -BigInt(Number.MAX_SAFE_INTEGER) ? Number(b) : b.toString());

function contentTerms(content: Map<string, ContentTerm>): ContentTerm[] {
  return [...content.values()].sort(
    (a, b) =>
      totalOrder(b.index) - totalOrder(a.index) ||
      variables(b.index).length - variables(a.index).length ||
      (key(a.index) < key(b.index) ? -1 : 1),
  );
}

export function contentText(content: Map<string, ContentTerm>): string {
  return contentTerms(content)
    .map((t, i) => {
      const neg = t.coeff < 0n;
      const mag = neg ? -t.coeff : t.coeff;
      const sign = i === 0 ? (neg ? '−' : '') : neg ? ' − ' : ' + ';
      return `${sign}${mag === 1n ? '' : `${mag}·`}${formatPartial(t.index)}`;
    })
    .join('');
}

/** "(A₉ − 280·B₃) ÷ 1260": the weights over their common denominator. */
export function formulaText(t: PlannedTerm): string {
  if (t.rows.length === 0) return 'u (the primal)';
  const L = t.rows.reduce((acc, r) => lcm(acc, r.weight.den), 1n);
  const parts = t.rows.map((r, i) => {
    const n = r.weight.mul(Rational.of(L)).num;
    const neg = n < 0n;
    const mag = neg ? -n : n;
    const sign = i === 0 ? (neg ? '−' : '') : neg ? ' − ' : ' + ';
    return `${sign}${mag === 1n ? '' : `${mag}·`}${jetName(r.jetIndex)}${sub(r.order)}`;
  });
  const sum = parts.join('');
  if (L === 1n) return sum;
  return `${t.rows.length > 1 ? `(${sum})` : sum} ÷ ${L}`;
}

function slotsText(plan: Plan, j: number): string {
  return plan.jets[j].tangents.map((t) => `slot ${t.slot}: ${jetText({ tangents: [{ slot: 1, vector: t.vector }] }, 1).slice(1, -1)}`).join(', ');
}

export function explainText(plan: Plan): string {
  const lines: string[] = [];
  const nj = plan.jets.length;
  lines.push(
    `plan: ${nj} jet${nj === 1 ? '' : 's'} pushed together as one batch of directions to order ${plan.order} ` +
      `(cost model: ${plan.work} work units per point; derivative-scaled tangents v⁽¹⁾…v⁽${sup(plan.order)}⁾, Faà di Bruno in jet form, method.md §3)`,
  );
  if (nj > 0) lines.push('jets:');
  plan.jets.forEach((j, i) => lines.push(`  ${jetName(i)} = ${jetText(j, plan.order)}   [${slotsText(plan, i)}]`));
  lines.push('terms:');
  for (const t of plan.terms) {
    const kind = t.rows.length === 0 ? 'primal' : t.clean ? 'clean' : `corrected: ${t.rows.length} rows, exact linear solve`;
    lines.push(`  ${formatPartial(t.index)}   [--partial ${t.key || '(none)'}]   ${kind}`);
    for (const r of t.rows) lines.push(`    ${jetName(r.jetIndex)} order ${r.order} = ${contentText(outputContent(r.jet, r.order))}`);
    lines.push(`    value = ${formulaText(t)}`);
  }
  return lines.join('\n');
}

export function explainJson(plan: Plan): unknown {
  return {
    order: plan.order,
    work: plan.work,
    jets: plan.jets.map((j, i) => ({
      name: jetName(i),
      text: jetText(j, plan.order),
      tangents: j.tangents.map((t) => ({ slot: t.slot, vector: t.vector })),
    })),
    terms: plan.terms.map((t) => ({
      partial: t.key,
      name: formatPartial(t.index),
      clean: t.clean,
      rows: t.rows.map((r) => ({
        jet: jetName(r.jetIndex),
        order: r.order,
        weight: r.weight.toString(),
        content: contentTerms(outputContent(r.jet, r.order)).map((c) => ({ partial: formatPartial(c.index), coeff: safe(c.coeff) })),
      })),
      formula: formulaText(t),
    })),
  };
}
