/**
 * 2D KdV (method.md §5.1–5.2, decisions.md D2/D3): the published single 13-jet read-outs,
 * reproduced on a random tanh MLP over (x, y, t), are contaminated exactly as the spec says, while
 * the planner's values for the same seven terms equal nested reverse mode.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { setup, randomPoints, assertClose, values } from './helpers.ts';
import { tanhMLP } from './partials-fixtures.ts';
import { basis, derivative, inputJet } from '../taylor/jet.ts';
import { parseMultiIndex } from '../planner/multi-index.ts';
import { planTerms } from '../planner/plan.ts';
import { evaluatePlan } from '../planner/evaluate.ts';
import { nestedPartial } from '../operators/partials.ts';

before(setup);

// Input (x, y, t) = coordinates 0, 1, 2.
const X = 0;
const Y = 1;
const T = 2;
const TERMS = { ux: '0:1', uy: '1:1', uxx: '0:2', uxy: '0:1,1:1', uyy: '1:2', uty: '1:1,2:1', uxxxy: '0:3,1:1' };
const CONTAMINANTS = { ut: '2:1', uxyy: '0:1,1:2', uxxt: '0:2,2:1' };

test('the published 13-jet read-outs are contaminated; the planned terms are right', () => {
  const fn = tanhMLP(3, 41, 12, 3);
  const x = randomPoints(4, 3, 42, 0.5);
  const nested = (spec: string) => values(nestedPartial(fn.plain, x, parseMultiIndex(spec)));
  const ref = Object.fromEntries(Object.entries({ ...TERMS, ...CONTAMINANTS }).map(([k, s]) => [k, nested(s)])) as Record<string, number[]>;

  // The single 13-jet v⁽³⁾ = e_x, v⁽⁴⁾ = e_y, v⁽⁷⁾ = e_t (slot j = array index j−1).
  const e = (i: number) => basis(tf.tensor1d([i], 'int32'), 3);
  const slots = Array(13).fill(null);
  slots[2] = e(X);
  slots[3] = e(Y);
  slots[6] = e(T);
  const jet = fn.jet(inputJet(x, slots));
  const order = (k: number) => values(tf.reshape(derivative(jet, k), [-1]));
  const published = {
    ux: order(3),
    uy: order(4),
    uxx: order(6), // no division
    uxy: order(7).map((v) => v / 35),
    uyy: order(8).map((v) => v / 35),
    uty: order(11).map((v) => v / 330),
    uxxxy: order(13).map((v) => v / 200200),
  };
  // Clean outputs are right (u_yy with ÷35; u_xx only after ÷10).
  assertClose(published.ux, ref.ux, 1e-3, 'order 3 = u_x');
  assertClose(published.uy, ref.uy, 1e-3, 'order 4 = u_y');
  assertClose(published.uyy, ref.uyy, 2e-3, 'order 8 ÷ 35 = u_yy');
  assertClose(published.uxx, ref.uxx.map((v) => 10 * v), 1e-3, 'order 6 = 10 u_xx');
  // The contaminated ones carry exactly the extra terms of §5.1 …
  assertClose(published.uxy, ref.uxy.map((v, i) => v + ref.ut[i] / 35), 2e-3, 'order 7 ÷ 35 = u_xy + u_t/35');
  assertClose(published.uty, ref.uty.map((v, i) => v + (5775 / 330) * ref.uxyy[i]), 1e-2, 'order 11 ÷ 330 = u_ty + 17.5 u_xyy');
  assertClose(published.uxxxy, ref.uxxxy.map((v, i) => v + (17160 / 200200) * ref.uxxt[i]), 1e-2, 'order 13 ÷ 200200 = u_xxxy + (17160/200200) u_xxt');
  // … and are therefore wrong: the difference from the true value is far above float32 noise.
  const gap = (a: number[], b: number[]) => Math.max(...a.map((v, i) => Math.abs(v - b[i]))) / Math.max(...b.map(Math.abs));
  assert.ok(gap(published.uxx, ref.uxx) > 1, 'u_xx off by a factor 10');
  assert.ok(gap(published.uxy, ref.uxy) > 1e-2, `u_xy contaminated (${gap(published.uxy, ref.uxy)})`);
  assert.ok(gap(published.uty, ref.uty) > 1e-1, `u_ty contaminated (${gap(published.uty, ref.uty)})`);
  assert.ok(gap(published.uxxxy, ref.uxxxy) > 1e-2, `u_xxxy contaminated (${gap(published.uxxxy, ref.uxxxy)})`);

  // The planner's values for the same terms, from one pushforward, are correct.
  const specs = Object.values(TERMS).map(parseMultiIndex);
  const r = evaluatePlan(planTerms(specs), fn.jet, x);
  for (const [name, spec] of Object.entries(TERMS)) {
    assertClose(values(r.values.get(spec)!), ref[name], 1e-3, `planned ${name}`);
  }
});

test('the 9-jet of §5.2: ÷1260 gives u_xxxy, the published ÷840 does not (D3)', () => {
  const fn = tanhMLP(3, 43, 12, 3);
  const x = randomPoints(3, 3, 44, 0.5);
  const slots = Array(9).fill(null);
  slots[1] = basis(tf.tensor1d([X], 'int32'), 3);
  slots[2] = basis(tf.tensor1d([Y], 'int32'), 3);
  const A9 = values(tf.reshape(derivative(fn.jet(inputJet(x, slots)), 9), [-1]));
  const uyyy = values(nestedPartial(fn.plain, x, parseMultiIndex('1:3')));
  const uxxxy = values(nestedPartial(fn.plain, x, parseMultiIndex('0:3,1:1')));
  const read = (div: number) => A9.map((v, i) => (v - 280 * uyyy[i]) / div);
  // (So the divisor 840 would read 1.5 × u_xxxy.)
  assertClose(read(1260), uxxxy, 2e-3, '(A₉ − 280 u_yyy) ÷ 1260');
});
