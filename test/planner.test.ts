/**
 * The planner's combinatorics, without tensors: Faà di Bruno coefficients in jet form (D17), the
 * content of every jet of method.md §5 (including the contaminated 13-jet orders, D2/D3), the slot
 * search (minimal clean order, contamination removal, sharing), the exact linear solve and
 * multi-index parsing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { faaDiBrunoCoefficient, slotPartitions } from '../planner/faa-di-bruno.ts';
import { directionJet, outputContent, slotJet, type ContentTerm } from '../planner/jet-spec.ts';
import { allMultiIndices, formatPartial, key, multiIndex as mi, parseMultiIndex, totalOrder } from '../planner/multi-index.ts';
import { cachedPlan, planTerms, verifyTerm } from '../planner/plan.ts';
import { slotAssignments, work } from '../planner/search.ts';
import { solveReadout } from '../planner/linear-solve.ts';
import { explainJson, explainText, formulaText } from '../planner/explain.ts';
import { UsageError } from '../engine/errors.ts';

/** Content of one output as { "x:2": 10, … } for easy comparison. */
const content = (slots: Record<string, number>, K: number) =>
  Object.fromEntries([...outputContent(slotJet(slots), K).values()].map((c: ContentTerm) => [key(c.index), Number(c.coeff)]));

test('Faà di Bruno coefficients reproduce the constants of method.md §3/§5 (D17)', () => {
  // K!/Π(p_t!(j_t!)^{p_t}) for (slot orders, multiplicities).
  const cases: [number[], number[], number][] = [
    [[2, 3], [2, 1], 105], // 7!/(2!·(2!)²·1!·3!)
    [[3, 4], [1, 1], 35], // 7!/(3!·4!)
    [[4, 7], [1, 1], 330], // 11!/(4!·7!)
    [[2, 3], [3, 1], 1260], // 9!/(3!·(2!)³·1!·3!)
    [[3, 4], [1, 2], 5775], // 11!/(1!·3!·2!·(4!)²)
    [[3, 7], [2, 1], 17160], // 13!/(2!·(3!)²·1!·7!)
    [[3, 4], [3, 1], 200200], // 13!/(3!·(3!)³·1!·4!)
    [[1], [4], 1],
    [[2], [2], 3],
  ];
  for (const [slots, p, want] of cases) assert.equal(faaDiBrunoCoefficient(slots, p), BigInt(want), `${slots} ${p}`);
  // (The printed Eq. 43's extra factor Π(1/j!)^{p_j} would give 105/(2!²·3!) = 4.375 for the first one: not an integer.)
  assert.deepEqual(slotPartitions([2, 3], 7), [[2, 1]]);
  assert.deepEqual(slotPartitions([1, 2], 4), [[0, 2], [2, 1], [4, 0]]);
});

test('the 13-jet of 2D KdV has the true content of method.md §5.1, contamination included', () => {
  const kdv13 = { x: 3, y: 4, t: 7 };
  assert.deepEqual(content(kdv13, 3), { 'x:1': 1 });
  assert.deepEqual(content(kdv13, 4), { 'y:1': 1 });
  assert.deepEqual(content(kdv13, 6), { 'x:2': 10 }); // published: read as u_xx without ÷10
  assert.deepEqual(content(kdv13, 7), { 'x:1,y:1': 35, 't:1': 1 });
  assert.deepEqual(content(kdv13, 8), { 'y:2': 35 });
  assert.deepEqual(content(kdv13, 11), { 't:1,y:1': 330, 'x:1,y:2': 5775 });
  assert.deepEqual(content(kdv13, 13), { 'x:3,y:1': 200200, 't:1,x:2': 17160 });
});

test('the other jets of method.md §5 (7-jet, 7a–7c, 9-jet with 1260, KP, g-KdV)', () => {
  const g7 = { i: 2, j: 3 };
  assert.deepEqual(content(g7, 7), { 'i:2,j:1': 105 });
  assert.deepEqual(content(g7, 2), { 'i:1': 1 });
  assert.deepEqual(content(g7, 3), { 'j:1': 1 });
  assert.deepEqual(content(g7, 4), { 'i:2': 3 });
  assert.deepEqual(content(g7, 5), { 'i:1,j:1': 10 });
  assert.deepEqual(content(g7, 6), { 'i:3': 15, 'j:2': 10 });
  assert.deepEqual(content({ i: 1, j: 2 }, 4), { 'i:4': 1, 'i:2,j:1': 6, 'j:2': 3 }); // 7b
  assert.deepEqual(content({ i: 1, j: 3 }, 5), { 'i:5': 1, 'i:2,j:1': 10 }); // 7c
  assert.deepEqual(content({ x: 2, y: 3 }, 9), { 'x:3,y:1': 1260, 'y:3': 280 }); // §5.2, D3: not 840
  assert.deepEqual(content({ y: 1, t: 2 }, 3), { 'y:3': 1, 't:1,y:1': 3 }); // §5.2 jet B
  assert.deepEqual(content({ t: 2, x: 3 }, 5), { 't:1,x:1': 10 }); // §5.3
  assert.deepEqual(content({ x: 1, t: 4 }, 4), { 'x:4': 1, 't:1': 1 }); // §5.4 Q
  assert.deepEqual(content({ x: 1, t: 4 }, 5), { 'x:5': 1, 't:1,x:1': 5 });
  assert.deepEqual(content({ x: 1, t: 4 }, 7), { 'x:7': 1, 't:1,x:3': 35 });
  // A combined direction expands multilinearly: D²u[e_i + e_j]² = u_ii + 2u_ij + u_jj.
  const c = outputContent(directionJet({ i: 1, j: 1 }), 2);
  assert.deepEqual(Object.fromEntries([...c.values()].map((t) => [key(t.index), Number(t.coeff)])), { 'i:2': 1, 'i:1,j:1': 2, 'j:2': 1 });
});

test('∂³u/∂x_i²∂x_j: the 7-jet (0, e_i, e_j, 0, …) read at order 7 ÷ 105, the lowest clean order', () => {
  const t = mi({ i: 2, j: 1 });
  const plan = planTerms([t]);
  assert.equal(plan.order, 7);
  assert.equal(plan.jets.length, 1);
  assert.deepEqual(plan.jets[0].tangents, [
    { slot: 2, vector: { i: 1 } },
    { slot: 3, vector: { j: 1 } },
  ]);
  assert.equal(plan.terms[0].rows.length, 1);
  assert.equal(plan.terms[0].rows[0].order, 7);
  assert.equal(plan.terms[0].rows[0].weight.toString(), '1/105');
  assert.ok(plan.terms[0].clean);
  // No slot assignment below order 7 isolates the term.
  for (const a of slotAssignments(t, 6)) assert.ok(outputContent(slotJet(a.slots), a.order).size > 1, JSON.stringify(a));
  const text = explainText(plan);
  assert.match(text, /A = \(0, e_i, e_j, 0, 0, 0, 0\)/);
  assert.match(text, /slot 2: e_i, slot 3: e_j/);
  assert.match(text, /A order 7 = 105·∂³u\/∂i²∂j/);
  assert.match(text, /value = A₇ ÷ 105/);
});

test('one pushforward serves several terms: u_iij, u_ii and u_j from the same 7-jet', () => {
  const plan = planTerms([mi({ i: 2, j: 1 }), mi({ i: 2 }), mi({ j: 1 })]);
  assert.equal(plan.jets.length, 1);
  assert.deepEqual(
    plan.terms.map((t) => [t.key, t.rows[0].order, t.rows[0].weight.toString()]),
    [
      ['i:2,j:1', 7, '1/105'],
      ['i:2', 4, '1/3'],
      ['j:1', 3, '1'],
    ],
  );
});

test('contamination is removed by additional jets and an exact linear solve', () => {
  // Slot jets only, order ≤ 9: no clean assignment exists for u_xxxy, so the planner reads a
  // contaminated row and subtracts the contaminant from a second jet. Its choice, (e_x, 0, 0, e_y)
  // at order 7 minus ∂⁷u/∂x⁷, is cheaper than the §5.2 9-jet and exact.
  const plan = planTerms([mi({ x: 3, y: 1 })], { families: ['slots'], maxOrder: 9 });
  const t = plan.terms[0];
  assert.ok(!t.clean);
  assert.ok(verifyTerm(t));
  assert.equal(formulaText(t), '(A₇ − B₇) ÷ 35');
  const scheme52 = [slotJet({ x: 2, y: 3 }), slotJet({ y: 1 })];
  assert.ok(plan.work < work(scheme52, 9));
  // The §5.2 rows themselves solve to (A₉ − 280·C₃) ÷ 1260 — divisor 1260, not 840 (D3).
  const w = solveReadout([outputContent(scheme52[0], 9), outputContent(scheme52[1], 3)], 'x:3,y:1')!;
  assert.deepEqual(w.map(String), ['1/1260', '-2/9']); // −2/9 = −280/1260
  // 7c: the 5-jet (e_i, 0, e_j) minus the 5th pure derivative, ÷10.
  const p5 = planTerms([mi({ i: 2, j: 1 })], { families: ['slots'], maxOrder: 5 });
  assert.equal(formulaText(p5.terms[0]), '(A₅ − B₅) ÷ 10');
});

test('every multi-index of order ≤ 4 over 3 variables (and order-5…7 samples) gets an exact plan, with each candidate family', () => {
  const all = [...allMultiIndices(['0', '1', '2'], 4), ...['0:5,1:2', '0:3,1:3', '0:2,1:2,2:2', '0:1,1:6', '0:4,1:1,2:1'].map(parseMultiIndex)];
  for (const families of [undefined, ['directions'] as const, ['slots'] as const]) {
    for (const t of all) {
      if (families?.[0] === 'slots' && totalOrder(t) > 4) continue; // slot-only plans for these need order > 16
      const plan = planTerms([t], { families: families ? [...families] : undefined });
      assert.ok(verifyTerm(plan.terms[0]), `${formatPartial(t)} ${families}`);
      assert.ok(plan.order <= 16);
    }
  }
  const joint = planTerms(all);
  for (const t of joint.terms) assert.ok(verifyTerm(t), `joint ${t.key}`);
  assert.equal(joint.terms.length, all.length);
});

test('the plan cache keys on the families: a plan of other families after the default one is planned anew', () => {
  // u_xxyy: by default four direction jets at order 4; slots alone, one slot jet at order 14.
  // u_xxxy: by default one slot jet at order 11; directions alone, five jets at order 4.
  for (const [term, family] of [[mi({ x: 2, y: 2 }), 'slots'], [mi({ x: 3, y: 1 }), 'directions']] as const) {
    const own = planTerms([term], { families: [family] });
    assert.notDeepEqual(planTerms([term]).jets, own.jets);
    cachedPlan([term]);
    const cached = cachedPlan([term], { families: [family] });
    assert.deepEqual([cached.order, cached.jets], [own.order, own.jets], `${formatPartial(term)} with ${family}`);
  }
});

test('a term the order cap cannot reach is refused, never approximated', () => {
  assert.throws(() => planTerms([mi({ x: 5, y: 2 })], { families: ['slots'], maxOrder: 12 }), UsageError);
});

test('the linear solve finds the read-out weights, and reports undetermined terms', () => {
  const rows = [outputContent(slotJet({ i: 1, j: 3 }), 5), outputContent(slotJet({ i: 1 }), 5)];
  const w = solveReadout(rows, 'i:2,j:1')!;
  assert.deepEqual(w.map(String), ['1/10', '-1/10']);
  assert.equal(solveReadout(rows.slice(0, 1), 'i:2,j:1'), null);
  assert.equal(solveReadout(rows, 'j:2'), null);
});

test('multi-index parsing and formatting', () => {
  const t = parseMultiIndex('0:2,1:1');
  assert.deepEqual(t, { 0: 2, 1: 1 });
  assert.deepEqual(parseMultiIndex('1, 0,0'), t);
  assert.equal(key(t), '0:2,1:1');
  assert.equal(formatPartial(t), '∂³u/∂x0²∂x1');
  assert.equal(formatPartial(parseMultiIndex('t:1,x:3')), '∂⁴u/∂t∂x³');
  assert.equal(key(parseMultiIndex('10:1,2:1')), '2:1,10:1');
  for (const bad of ['', '0:', ':1', '0:2,,1', '0:0', 'a-b:1', '0:x']) assert.throws(() => parseMultiIndex(bad), UsageError, bad);
});

test('explain JSON lists the jets, slots, rows, content and formula', () => {
  const j = explainJson(planTerms([parseMultiIndex('0:2,1:1')])) as {
    order: number;
    jets: { name: string; tangents: { slot: number; vector: Record<string, number> }[] }[];
    terms: { partial: string; rows: { jet: string; order: number; weight: string; content: { coeff: number }[] }[]; formula: string }[];
  };
  assert.equal(j.order, 7);
  assert.deepEqual(j.jets[0].tangents, [
    { slot: 2, vector: { 0: 1 } },
    { slot: 3, vector: { 1: 1 } },
  ]);
  assert.deepEqual(j.terms[0].rows[0], { jet: 'A', order: 7, weight: '1/105', content: [{ partial: '∂³u/∂x0²∂x1', coeff: 105 }] });
  assert.equal(j.terms[0].formula, 'A₇ ÷ 105');
});
