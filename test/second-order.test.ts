/**
 * The general second-order operator Σ C_ij ∂²u/∂x_i∂x_j (method.md §4, paper Eq. 22): the factor and
 * shift, the exact jet form against a closed form and nested AD, and the dense estimator unbiased for
 * definite and indefinite, symmetric and non-symmetric C.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { setup, randomModel, randomPoints, assertClose, values, meanAndError, TEST_BACKEND } from './helpers.ts';
import { cholesky, nestedSecondOrder, shiftedFactor, stdeSecondOrder, symmetricPart, type SecondOrderRequest } from '../operators/second-order.ts';
import { zeroBoundaryBall, type Target } from '../operators/target.ts';
import * as J from '../taylor/ops.ts';
import { PROBE_DISTS } from '../sampling/directions.ts';
import { rngFromSeed } from '../sampling/rng.ts';

before(setup);

const DEFINITE = [
  [2, 0.5, 0, 1],
  [0.3, 1, 0.2, 0],
  [0, 0.4, 3, 0],
  [1, 0, 0, 1.5],
];
const INDEFINITE = [
  [1, 2, 0, -1],
  [0, -1, 0.5, 0],
  [0.7, 0, 0.5, 1],
  [0, 0, 3, -2],
];

/** Largest |entry| of M − N. */
const gap = (M: number[][], N: number[][]) => Math.max(...M.flatMap((r, i) => r.map((v, j) => Math.abs(v - N[i][j]))));
const product = (A: number[][]) => A.map((r, i) => A.map((s, j) => r.reduce((acc, v, k) => acc + v * s[k], 0))); // A·Aᵀ

test('the factor: A·Aᵀ = ½(C + Cᵀ) (λ = 0) where that is positive definite, = ½(C + Cᵀ) + λI past its smallest eigenvalue otherwise', () => {
  const pd = shiftedFactor(DEFINITE);
  assert.equal(pd.lambda, 0);
  assert.ok(gap(product(pd.A), symmetricPart(DEFINITE)) < 1e-12);
  const ind = shiftedFactor(INDEFINITE);
  assert.ok(ind.lambda > 0);
  const S = symmetricPart(INDEFINITE);
  assert.ok(gap(product(ind.A), S.map((r, i) => r.map((v, j) => v + (i === j ? ind.lambda : 0)))) < 1e-12);
  assert.equal(cholesky(S), null); // indefinite: no factor without the shift
  assert.equal(cholesky([[1, 0], [0, 0]]), null); // semi-definite, singular
  // Any scale: C = 10⁻¹⁰·(an indefinite C) factors as well, and an antisymmetric C (S = 0) is the zero operator.
  const tinyC = INDEFINITE.map((r) => r.map((v) => v * 1e-10));
  const tiny = shiftedFactor(tinyC);
  assert.ok(gap(product(tiny.A), symmetricPart(tinyC).map((r, i) => r.map((v, j) => v + (i === j ? tiny.lambda : 0)))) < 1e-22);
  assert.deepEqual(shiftedFactor([[0, 1], [-1, 0]]), { lambda: 0, A: [[0, 0], [0, 0]] });
  assert.equal(shiftedFactor(DEFINITE), shiftedFactor(DEFINITE)); // factored once per matrix
});

test('an antisymmetric C is the zero operator for every estimator', () => {
  const model = randomModel({ dim: 2, width: 8, depth: 3 }, 13);
  const x = randomPoints(3, 2, 14, 0.5);
  for (const R of [0, 4]) {
    for (const e of [stdeSecondOrder, nestedSecondOrder]) {
      const v = values(e.secondOrder({ target: { model }, x, d: 2, C: [[0, 1], [-1, 0]], R, dist: 'rademacher', rng: rngFromSeed(4) }).value);
      assert.ok(v.every((y) => Math.abs(y) < 1e-6), `${e.name} R=${R}: ${v}`);
    }
  }
});

test('exact (R = 0) on a closed form: u = Σ a_i x_i² + b·x0·x1 + sin x2 gives Σ_ij C_ij H_ij', () => {
  const a = [1, -2, 0.5, 3];
  const b = 1.5;
  const d = 4;
  const coordinate = (x: J.Operand, i: number) => J.sliceLast(x, i, 1);
  const u = (x: J.Operand) =>
    J.add(J.dotConst(J.mul(x, x), tf.tensor1d(a)), J.sum(J.add(J.scale(J.mul(coordinate(x, 0), coordinate(x, 1)), b), J.sin(coordinate(x, 2)))));
  const x = randomPoints(3, d, 8, 0.7);
  const x2 = values(tf.slice(x, [0, 2], [-1, 1]));
  for (const C of [DEFINITE, INDEFINITE]) {
    // H = diag(2a) + b at (0, 1) and (1, 0), − sin x2 at (2, 2)
    const expected = x2.map((s) => a.reduce((acc, ai, i) => acc + 2 * ai * C[i][i], 0) + b * (C[0][1] + C[1][0]) - Math.sin(s) * C[2][2]);
    const req: SecondOrderRequest = { target: { model: u }, x, d, C, R: 0, dist: 'rademacher', rng: rngFromSeed(1) };
    assertClose(values(stdeSecondOrder.secondOrder(req).value), expected, 1e-4, 'stde exact');
    assertClose(values(nestedSecondOrder.secondOrder(req).value), expected, 1e-4, 'nested');
  }
});

test('exact (R = 0) on MLPs with the ball ansatz and a time input: stde = nested AD; C = I gives the Laplacian', () => {
  const model = randomModel({ dim: 4, width: 10, depth: 3, extraInputs: 1 }, 9);
  const target: Target = { model, ansatz: zeroBoundaryBall(4, 1) };
  const x = randomPoints(5, 5, 10, 0.5);
  for (const C of [DEFINITE, INDEFINITE]) {
    const req: SecondOrderRequest = { target, x, d: 4, C, R: 0, dist: 'rademacher', rng: rngFromSeed(2) };
    assertClose(values(stdeSecondOrder.secondOrder(req).value), values(nestedSecondOrder.secondOrder(req).value), 1e-4, 'stde vs nested');
  }
  const I = DEFINITE.map((r, i) => r.map((_, j) => (i === j ? 1 : 0)));
  const laplacian = (C: number[][]) => values(nestedSecondOrder.secondOrder({ target, x, d: 4, C, R: 0, dist: 'rademacher', rng: rngFromSeed(3) }).value);
  assertClose(values(stdeSecondOrder.secondOrder({ target, x, d: 4, C: I, R: 0, dist: 'rademacher', rng: rngFromSeed(3) }).value), laplacian(I), 1e-4, 'C = I');
});

for (const [name, C] of [['definite', DEFINITE], ['indefinite, non-symmetric', INDEFINITE]] as const) {
  for (const dist of PROBE_DISTS) {
    test(`dense (R > 0) is unbiased: ${name} C, ${dist} probes`, () => {
      const model = randomModel({ dim: 4, width: 8, depth: 3 }, 11);
      const x = randomPoints(3, 4, 12, 0.6);
      const base = { target: { model }, x, d: 4, C, dist };
      const exact = values(nestedSecondOrder.secondOrder({ ...base, R: 0, rng: rngFromSeed(0) }).value);
      const draws = TEST_BACKEND === 'wasm' ? 1500 : 400; // the other backends (webgpu under lavapipe, cpu) check the same law at a cost per draw several times wasm's
      const rng = rngFromSeed(`second-order-${name}-${dist}`);
      const estimates = Array.from({ length: draws }, (_, s) => tf.tidy(() => values(stdeSecondOrder.secondOrder({ ...base, R: 2, rng: rng.child(s) }).value)));
      exact.forEach((e, p) => {
        const { mean, se } = meanAndError(estimates.map((v) => v[p]));
        assert.ok(Math.abs(mean - e) < 4 * se + 1e-5, `point ${p}: ${mean} ± ${se} vs ${e}`);
      });
    });
  }
}
