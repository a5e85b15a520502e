/**
 * The biharmonic Δ²u (method.md §4, D4/D5): the exact planned sum equals nested AD; the dense
 * Gaussian 4-jet estimator (factor 1/(3R)) is unbiased; Rademacher probes are not (their exact
 * expectation, over all 2^d sign vectors, is 3Δ²u − 2Σ_i ∂⁴u/∂x_i⁴).
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { setup, randomModel, randomPoints, assertClose, values, meanAndError } from './helpers.ts';
import { biharmonicPairs, nestedBiharmonic, stdeBiharmonic } from '../operators/biharmonic.ts';
import { nestedPartial } from '../operators/partials.ts';
import { applyTarget, evalTarget, zeroBoundaryBall, type Target } from '../operators/target.ts';
import { derivative, inputJet } from '../taylor/jet.ts';
import { multiIndex } from '../planner/multi-index.ts';
import { rngFromSeed } from '../sampling/rng.ts';

before(setup);

const cases = [
  { name: 'd = 3', cfg: { dim: 3, width: 10, depth: 3 }, ansatz: false },
  { name: 'd = 4 + ball ansatz', cfg: { dim: 4, width: 8, depth: 3 }, ansatz: true },
  { name: 'd = 2 + time input + ansatz', cfg: { dim: 2, width: 8, depth: 2, extraInputs: 1 }, ansatz: true },
];

for (const c of cases) {
  test(`exact biharmonic (sum of planned 4th-order terms) = nested AD: ${c.name}`, () => {
    const model = randomModel(c.cfg, 51);
    const extra = c.cfg.extraInputs ?? 0;
    const target: Target = { model, ansatz: c.ansatz ? zeroBoundaryBall(c.cfg.dim, extra) : undefined };
    const x = randomPoints(3, c.cfg.dim + extra, 52, 0.4);
    const req = { target, x, d: c.cfg.dim, R: 0, rng: rngFromSeed(1) };
    const a = stdeBiharmonic.biharmonic(req);
    const b = nestedBiharmonic.biharmonic(req);
    assertClose(values(a.value), values(b.value), 1e-3, 'Δ²u');
    assertClose(values(a.u), values(evalTarget(target, x)), 1e-6, 'u');
  });
}

test('the pair list covers Σ_i u_iiii + 2Σ_{i<j} u_iijj', () => {
  const { I, J, weight } = biharmonicPairs(3);
  assert.deepEqual(I, [0, 0, 0, 1, 1, 2]);
  assert.deepEqual(J, [0, 1, 2, 1, 2, 2]);
  assert.deepEqual(weight, [1, 2, 2, 1, 2, 1]);
});

test('dense Gaussian biharmonic is unbiased: mean of many draws within 4 standard errors of exact', () => {
  const model = randomModel({ dim: 3, width: 10, depth: 3 }, 53);
  const target: Target = { model };
  const x = randomPoints(2, 3, 54, 0.4);
  const exact = values(stdeBiharmonic.biharmonic({ target, x, d: 3, R: 0, rng: rngFromSeed(0) }).value);
  // 40 independent draws of R = 50 probes; each draw is one estimate (1/(3R)) Σ order 4.
  const draws = [...Array(40).keys()].map((s) => values(stdeBiharmonic.biharmonic({ target, x, d: 3, R: 50, rng: rngFromSeed(100 + s) }).value));
  exact.forEach((ex, p) => {
    const { mean, se } = meanAndError(draws.map((dr) => dr[p]));
    assert.ok(se > 0, 'draws vary');
    assert.ok(Math.abs(mean - ex) <= 4 * se, `point ${p}: mean ${mean} vs exact ${ex} (SE ${se})`);
  });
  // The per-probe terms carry the 1/(3R) factor and sum to the estimate.
  const r = stdeBiharmonic.biharmonic({ target, x, d: 3, R: 5, rng: rngFromSeed(7) });
  assert.deepEqual(r.terms!.shape, [5, 2]);
  assertClose(values(tf.sum(r.terms!, 0)), values(r.value), 1e-5, 'terms sum');
});

test('Rademacher 4-jets are biased: their exact mean over all sign vectors is 3Δ²u − 2Σ∂⁴u/∂x_i⁴', () => {
  const d = 3;
  const model = randomModel({ dim: d, width: 8, depth: 3 }, 55);
  const target: Target = { model };
  const x = randomPoints(2, d, 56, 0.4);
  const signs = [...Array(2 ** d).keys()].map((m) => [...Array(d).keys()].map((i) => ((m >> i) & 1 ? 1 : -1)));
  const V = tf.reshape(tf.tensor2d(signs), [2 ** d, 1, d]);
  const mean4 = values(tf.mean(derivative(applyTarget(target, inputJet(x, [V, null, null, null])), 4), 0));
  const bih = values(stdeBiharmonic.biharmonic({ target, x, d, R: 0, rng: rngFromSeed(0) }).value);
  const f = (y: tf.Tensor) => evalTarget(target, y);
  const diag = [...Array(d).keys()].map((i) => values(nestedPartial(f, x, multiIndex({ [i]: 4 }))));
  const sumDiag = bih.map((_, p) => diag.reduce((a, di) => a + di[p], 0));
  assertClose(mean4, bih.map((b, p) => 3 * b - 2 * sumDiag[p]), 1e-3, 'Rademacher expectation');
  // … which differs from the unbiased 3Δ²u.
  assert.ok(sumDiag.some((s, p) => Math.abs(2 * s) > 1e-2 * Math.abs(3 * bih[p])));
});
