/**
 * The terms of every PDE in the spec (KdV2d, KP2d, gKdV1d, the gPINN pairs, parabolic u_t + u_ii),
 * each set planned as one pushforward, equal nested reverse mode.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { setup, randomModel, randomPoints, assertClose, values } from './helpers.ts';
import { PDE_TERMS, evaluateTermSet, termIndices } from '../operators/pde-terms.ts';
import { nestedPartials, planFor } from '../operators/partials.ts';
import { parseMultiIndex, totalOrder } from '../planner/multi-index.ts';
import { explainText } from '../planner/explain.ts';
import { zeroBoundaryBall, type Target } from '../operators/target.ts';

before(setup);

const tol = (spec: string) => (totalOrder(parseMultiIndex(spec)) <= 4 ? 1e-3 : 1e-2);

const cases: { set: keyof typeof PDE_TERMS; dim: number; extra: number; ansatz?: boolean; bind?: (d: number) => Record<string, number | number[]> }[] = [
  { set: 'kdv2d', dim: 2, extra: 1 },
  { set: 'kp2d', dim: 2, extra: 1 },
  { set: 'gkdv1d', dim: 1, extra: 1 },
  { set: 'gpinn', dim: 5, extra: 0, ansatz: true, bind: () => ({ i: [0, 3, 4, 1], j: [2, 3, 0, 4] }) },
  { set: 'parabolic', dim: 4, extra: 1, bind: (d) => ({ t: d, i: [1, 3, 0] }) },
];

for (const c of cases) {
  test(`${c.set}: planned terms (one pushforward) = nested AD`, () => {
    const set = PDE_TERMS[c.set];
    const model = randomModel({ dim: c.dim, extraInputs: c.extra, width: 10, depth: 3 }, 61);
    const target: Target = { model, ansatz: c.ansatz ? zeroBoundaryBall(c.dim, c.extra) : undefined };
    const x = randomPoints(3, c.dim + c.extra, 62, 0.4);
    const bind = c.bind?.(c.dim) ?? {};
    const p = evaluateTermSet(set, target, x, bind);
    const n = evaluateTermSet(set, target, x, bind, nestedPartials);
    for (const [name, spec] of Object.entries(set.terms)) {
      const sampled = Object.keys(parseMultiIndex(spec)).some((v) => set.sampled.includes(v));
      assert.equal(p.values[name].shape.length, sampled ? 2 : 1, name);
      assertClose(values(p.values[name]), values(n.values[name]), tol(spec), `${c.set} ${name}`);
    }
  });
}

test('the gPINN pair terms share one 7-jet; KdV2d needs no more than 3 jets', () => {
  const g = planFor(termIndices(PDE_TERMS.gpinn));
  assert.equal(g.jets.length, 1);
  assert.equal(g.order, 7);
  assert.match(explainText(g), /\(0, e_i, e_j, 0, 0, 0, 0\)/);
  assert.ok(planFor(termIndices(PDE_TERMS.kdv2d)).jets.length <= 3);
});
