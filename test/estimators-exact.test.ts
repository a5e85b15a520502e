/**
 * With R = 0 every estimator is exact: all agree with each other and with nested AD. With R > 0,
 * for the index set or probes drawn, each equals its formula evaluated by nested AD.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { setup, randomModel, randomPoints, assertClose, values } from './helpers.ts';
import { ESTIMATORS } from '../operators/registry.ts';
import { nested } from '../baselines/nested.ts';
import { zeroBoundaryBall, type Target } from '../operators/target.ts';
import { rngFromSeed } from '../sampling/rng.ts';
import { nestedSecondOrder } from '../operators/second-order.ts';

before(setup);

const cases = [
  { name: 'depth 2', cfg: { dim: 5, depth: 2 }, ansatz: false },
  { name: 'depth 4 + ball ansatz', cfg: { dim: 6, depth: 4 }, ansatz: true },
  { name: 'time input + ansatz', cfg: { dim: 4, depth: 3, extraInputs: 1 }, ansatz: true },
  { name: 'weight sharing B=3', cfg: { dim: 6, depth: 3, block: 3 }, ansatz: false },
  { name: 'weight sharing B=2 + time + ansatz', cfg: { dim: 4, depth: 3, block: 2, extraInputs: 1 }, ansatz: true },
  { name: 'convolution sharing B=3 + time + ansatz', cfg: { dim: 6, depth: 3, block: 3, extraInputs: 1, sharing: 'conv' as const }, ansatz: true },
];

for (const c of cases) {
  test(`R = 0: every exact estimator equals nested AD (${c.name})`, () => {
    const model = randomModel(c.cfg, 3);
    const d = c.cfg.dim;
    const w = d + (c.cfg.extraInputs ?? 0);
    const target: Target = { model, ansatz: c.ansatz ? zeroBoundaryBall(d, c.cfg.extraInputs ?? 0) : undefined };
    const x = randomPoints(6, w, 11);
    const req = (seed: number) => ({ target, x, d, R: 0, dist: 'rademacher' as const, rng: rngFromSeed(seed) });
    const ref = values(nested.laplacian(req(1)).value);
    const refU = values(nested.laplacian(req(1)).u);
    for (const e of ESTIMATORS) {
      if (e.sampling === 'probes') continue; // random probes are never exact; see the unbiasedness test
      tf.tidy(() => {
        const r = e.laplacian(req(2));
        assertClose(values(r.value), ref, 1e-4, `${e.name} value`);
        assertClose(values(r.u), refU, 1e-5, `${e.name} u`);
        if (r.terms) assertClose(values(tf.sum(r.terms, 0)), ref, 1e-4, `${e.name} terms`);
      });
    }
  });
}

test('perIndexTerms is true exactly where an estimator returns one term per sampled index, and the terms agree with nested AD', () => {
  const model = randomModel({ dim: 5, depth: 3 }, 3);
  const x = randomPoints(4, 5, 11);
  const req = { target: { model }, x, d: 5, R: 2, dist: 'rademacher' as const, rng: rngFromSeed(5), indices: [1, 3] };
  const ref = tf.tidy(() => values(nested.laplacian(req).terms!));
  for (const e of ESTIMATORS) {
    tf.tidy(() => {
      const r = e.laplacian(req);
      const perIndex = r.indices !== undefined && r.terms !== undefined && r.terms.shape[0] === r.indices.length;
      assert.equal(perIndex, e.perIndexTerms, `${e.name}: perIndexTerms ${e.perIndexTerms}, result ${r.terms?.shape} over ${r.indices}`);
      if (!e.perIndexTerms) return;
      assert.deepEqual(r.indices, [1, 3], e.name);
      assertClose(values(r.terms!), ref, 1e-4, `${e.name} terms`);
    });
  }
});

/** Σ_ij C_ij ∂²u/∂x_i∂x_j over the spatial block, by nested AD (operators/second-order.ts). */
const weightedHessian = (target: Target, x: tf.Tensor2D, d: number, C: number[][]) =>
  values(nestedSecondOrder.secondOrder({ target, x, d, C, R: 0, dist: 'rademacher', rng: rngFromSeed(0) }).value);

// d/R = 3.5: a correction rounded to an integer would be off by a seventh.
test('R = 2 of d = 7: each index estimator is (d/R)·Σ_{i∈S} ∂²u/∂x_i² for the S it drew', () => {
  const d = 7;
  const R = 2;
  const target: Target = { model: randomModel({ dim: d, depth: 3 }, 3) };
  const x = randomPoints(4, d, 11);
  for (const e of ESTIMATORS) {
    if (e.sampling !== 'indices') continue;
    tf.tidy(() => {
      const r = e.laplacian({ target, x, d, R, dist: 'rademacher', rng: rngFromSeed(`${e.name}-7`) });
      assert.equal(r.indices?.length, R, `${e.name}: indices ${r.indices}`);
      const C = Array.from({ length: d }, (_, i) => Array.from({ length: d }, (_, j) => (i === j && r.indices!.includes(i) ? d / R : 0)));
      assertClose(values(r.value), weightedHessian(target, x, d, C), 1e-4, `${e.name} over ${r.indices}`);
    });
  }
});

// The probes span the spatial block only: zeros over the time input follow them (input-jets.ts).
test('fixed probes with a time input + ansatz: each probe estimator is (1/R)·Σ vᵀ∇²u v over the spatial block', () => {
  const d = 4;
  const model = randomModel({ dim: d, depth: 3, extraInputs: 1 }, 3);
  const target: Target = { model, ansatz: zeroBoundaryBall(d, 1) };
  const x = randomPoints(5, d + 1, 11);
  const V = [
    [1, -1, 1, 1],
    [-1, -1, 1, -1],
    [0.5, 2, -0.3, 1.2],
  ];
  const R = V.length;
  // (1/R)·Σ_r vᵀHv = Σ_ij C_ij H_ij with C = VᵀV/R.
  const C = V[0].map((_, i) => V[0].map((_, j) => V.reduce((acc, v) => acc + v[i] * v[j], 0) / R));
  const expected = weightedHessian(target, x, d, C);
  const probes = tf.tensor2d(V);
  for (const e of ESTIMATORS) {
    if (e.sampling !== 'probes') continue;
    tf.tidy(() => assertClose(values(e.laplacian({ target, x, d, R, dist: 'rademacher', rng: rngFromSeed(1), probes }).value), expected, 1e-4, e.name));
  }
  probes.dispose();
});
