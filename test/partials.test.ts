/**
 * Planned jets equal nested reverse mode for arbitrary partial derivatives (issue 3 property test):
 * every multi-index of total order ≤ 4 over 3 variables, and a sample of order 5–7, on random tanh
 * and sin MLPs in float32. The JVP-HVP baseline and sampled (symbolic) bindings too.
 */
import { test, before } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { setup, randomModel, randomPoints, assertClose, values } from './helpers.ts';
import { sinMLP, tanhMLP, type TestFunction } from './partials-fixtures.ts';
import { allMultiIndices, formatPartial, key, multiIndex as mi, parseMultiIndex, totalOrder, type MultiIndex } from '../planner/multi-index.ts';
import { planTerms, type PlannerOptions } from '../planner/plan.ts';
import { evaluatePlan } from '../planner/evaluate.ts';
import { bindingRows, nestedPartial, nestedPartials, plannedPartials } from '../operators/partials.ts';
import { UsageError } from '../engine/errors.ts';
import { jvpHvp, jvpHvpPartials } from '../operators/jvp-hvp.ts';
import { zeroBoundaryBall, type Target } from '../operators/target.ts';
import assert from 'node:assert/strict';

before(setup);

const LOW = allMultiIndices(['0', '1', '2'], 4); // 34 terms
const HIGH = ['0:5', '0:3,1:2', '0:4,1:1,2:1', '0:2,1:2,2:2', '0:6,1:1', '0:3,1:2,2:2'].map(parseMultiIndex);
/** float32 tolerance by total order: 1e-3 up to order 4 (the bound), looser above. */
const tol = (t: MultiIndex) => (totalOrder(t) <= 4 ? 1e-3 : totalOrder(t) <= 5 ? 3e-3 : 1e-2);

function checkAgainstNested(fn: TestFunction, terms: MultiIndex[], opts: PlannerOptions | undefined, x: tf.Tensor2D, joint: boolean) {
  const planned = new Map<string, number[]>();
  if (joint) {
    // All terms from ONE pushforward.
    const r = evaluatePlan(planTerms(terms, opts), fn.jet, x);
    for (const t of terms) planned.set(key(t), values(r.values.get(key(t))!));
  } else {
    for (const t of terms) planned.set(key(t), values(evaluatePlan(planTerms([t], opts), fn.jet, x).values.get(key(t))!));
  }
  for (const t of terms) {
    tf.tidy(() => assertClose(planned.get(key(t))!, values(nestedPartial(fn.plain, x, t)), tol(t), `${fn.name} ${formatPartial(t)}`));
  }
}

for (const make of [tanhMLP, sinMLP]) {
  test(`planned jets = nested AD for all 34 multi-indices of order ≤ 4 over 3 variables, one plan each: ${make.name}`, () => {
    const fn = make(3, 21, 12, 3);
    checkAgainstNested(fn, LOW, undefined, randomPoints(3, 3, 22, 0.5), false);
  });

  test(`planned jets = nested AD for all of them from ONE shared pushforward: ${make.name}`, () => {
    const fn = make(3, 23, 10, 3);
    checkAgainstNested(fn, LOW, undefined, randomPoints(3, 3, 24, 0.5), true);
  });

  test(`planned jets = nested AD for a sample of order 5–7, slot and interpolation plans: ${make.name}`, () => {
    const fn = make(3, 25, 8, 2);
    const x = randomPoints(2, 3, 26, 0.5);
    checkAgainstNested(fn, HIGH, undefined, x, false);
    checkAgainstNested(fn, [HIGH[0], HIGH[1], mi({ 0: 2, 1: 1 }), mi({ 0: 1, 1: 1, 2: 1 })], { families: ['slots'] }, x, false);
  });
}

test('slot-only plans (clean 7-, 11-, 14-jets and corrected ones) = nested AD for the order ≤ 4 terms', () => {
  const fn = tanhMLP(3, 27, 8, 3);
  checkAgainstNested(fn, LOW.filter((t) => totalOrder(t) >= 3), { families: ['slots'] }, randomPoints(2, 3, 28, 0.5), false);
});

test('symbolic variables bound to sampled index pairs give [R, N] values, exact also where i = j', () => {
  const model = randomModel({ dim: 5, width: 10, depth: 3 }, 29);
  const target: Target = { model, ansatz: zeroBoundaryBall(5) };
  const x = randomPoints(3, 5, 30, 0.4);
  const I = [0, 3, 2, 4];
  const J = [1, 3, 0, 2]; // the second pair has i = j
  const terms = [mi({ i: 2, j: 1 }), mi({ i: 2 }), mi({ j: 1 }), mi({ i: 1, j: 1 })];
  const bind = { i: I, j: J };
  const p = plannedPartials.partials({ target, x, terms, bind });
  const n = nestedPartials.partials({ target, x, terms, bind });
  terms.forEach((t, k) => {
    assert.deepEqual(p.values[k].shape, [4, 3]);
    assertClose(values(p.values[k]), values(n.values[k]), 1e-3, formatPartial(t));
  });
  assertClose(values(p.u), values(n.u), 1e-6, 'u');
});

test('bindingRows: one row of coordinates per sampled direction; an index ≥ the width or sampled lists of two lengths are one-line usage errors', () => {
  assert.deepEqual(bindingRows(['i', 'j', '1'], 5, { i: [0, 4], j: 2 }), [{ i: 0, j: 2, '1': 1 }, { i: 4, j: 2, '1': 1 }]);
  const refused = (f: () => unknown, message: RegExp) => assert.throws(f, (e: Error) => e instanceof UsageError && message.test(e.message) && !e.message.includes('\n'));
  refused(() => bindingRows(['i'], 3, { i: [0, 3] }), /variable i = 3 is not a coordinate index < 3$/);
  refused(() => bindingRows(['i', 'j'], 5, { i: [0, 1], j: [2] }), /sampled bindings have different lengths \(2 and 1\)$/);
  refused(() => bindingRows(['k'], 5, {}), /variable 'k' is not bound to a coordinate$/);
});

test('JVP-HVP (forward-over-backward) third derivatives = nested AD, with ansatz, weight sharing and a time input', () => {
  const cases: { cfg: Parameters<typeof randomModel>[0]; ansatz: boolean }[] = [
    { cfg: { dim: 4, width: 10, depth: 3 }, ansatz: false },
    { cfg: { dim: 4, width: 10, depth: 3, block: 2 }, ansatz: true },
    { cfg: { dim: 3, width: 8, depth: 2, extraInputs: 1 }, ansatz: true },
  ];
  for (const c of cases) {
    const model = randomModel(c.cfg, 31);
    const d = c.cfg.dim;
    const target: Target = { model, ansatz: c.ansatz ? zeroBoundaryBall(d, c.cfg.extraInputs ?? 0) : undefined };
    const x = randomPoints(3, d + (c.cfg.extraInputs ?? 0), 32, 0.4);
    const I = [0, 2, 1];
    const J = [1, 2, 0];
    const r = jvpHvp(target, x, I, J);
    const bind = { i: I, j: J };
    const n = nestedPartials.partials({ target, x, terms: [mi({ i: 2, j: 1 }), mi({ i: 2 }), mi({ i: 1, j: 1 }), mi({ i: 1 }), mi({ j: 1 })], bind });
    [r.uiij, r.uii, r.uij, r.ui, r.uj].forEach((v, k) => assertClose(values(v), values(n.values[k]), 1e-3, `${JSON.stringify(c.cfg)} ${k}`));
    // The registry face: a concrete --partial 0:2,1:1 and ∂³u/∂x_0³.
    const via = jvpHvpPartials.partials({ target, x, terms: [parseMultiIndex('0:2,1:1'), parseMultiIndex('0:3')] });
    const ref = nestedPartials.partials({ target, x, terms: [parseMultiIndex('0:2,1:1'), parseMultiIndex('0:3')] });
    via.values.forEach((v, k) => assertClose(values(v), values(ref.values[k]), 1e-3, `jvp-hvp registry ${k}`));
  }
});

test('planned partials are differentiable in the parameters (gradient = nested AD gradient)', () => {
  const model = randomModel({ dim: 3, width: 8, depth: 2 }, 33);
  const target: Target = { model };
  const x = randomPoints(2, 3, 34, 0.5);
  const terms = [parseMultiIndex('0:2,1:1')];
  const vars = [model.layers[0].W, model.layers[1].W];
  const g = (est: typeof plannedPartials) => tf.variableGrads(() => tf.sum(est.partials({ target, x, terms }).values[0]) as tf.Scalar, vars).grads;
  const a = g(plannedPartials);
  const b = g(nestedPartials);
  for (const v of vars) assertClose(values(a[v.name]), values(b[v.name]), 1e-3, v.name);
});
