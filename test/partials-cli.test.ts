/** `stde-bench operator --partial / --operator biharmonic / --operator second-order / --explain`: output shape, plan text, errors. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertUsageError, operatorFixture } from './operator-fixture.ts';

const { model, points, run, file } = operatorFixture('stde-partial-');
// an indefinite, non-symmetric C over the fixture's d = 3
const coefficients = file('C.json', [[1, 2, 0], [0, -1, 0.5], [0.7, 0, 0.5]]);
const json = (...args: string[]) => {
  const r = run(...args);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
};
const close = (a: number[], b: number[], tol: number) => a.forEach((v, i) => assert.ok(Math.abs(v - b[i]) <= tol * Math.max(1, Math.abs(b[i])), `${v} vs ${b[i]}`));

test('--explain for ∂³u/∂x_i²∂x_j shows the 7-jet: e_i in slot 2, e_j in slot 3, order 7, ÷105', () => {
  const r = run('--estimator', 'stde', '--partial', '0:2,1:1', '--explain');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /to order 7/);
  assert.match(r.stdout, /A = \(0, e_x0, e_x1, 0, 0, 0, 0\)\s+\[slot 2: e_x0, slot 3: e_x1\]/);
  assert.match(r.stdout, /A order 7 = 105·∂³u\/∂x0²∂x1/);
  assert.match(r.stdout, /value = A₇ ÷ 105/);
  const j = JSON.parse(run('--estimator', 'stde', '--partial', '0:2,1:1', '--explain', 'json').stdout);
  assert.equal(j.plan.order, 7);
  assert.equal(j.plan.terms[0].rows[0].weight, '1/105');
});

test('--partial: one term gives values like the Laplacian; several give terms[]; stde = nested = jvp-hvp', () => {
  const one = (e: string) => json('--estimator', e, '--partial', '0:2,1:1', '--model', model, '--points', points);
  const a = one('stde');
  assert.deepEqual(Object.keys(a).slice(0, 3), ['estimator', 'values', 'u']);
  assert.equal(a.partial, '0:2,1:1');
  assert.equal(a.values.length, 2);
  close(a.values, one('nested').values, 1e-4);
  close(a.values, one('jvp-hvp').values, 1e-4);
  const many = json('--estimator', 'stde', '--partial', '0:2,1:1', '--partial', '2:4', '--model', model, '--points', points, '--grad');
  close(many.values, a.values, 1e-5);
  assert.deepEqual(many.terms.map((t: { partial: string }) => t.partial), ['0:2,1:1', '2:4']);
  const n4 = json('--estimator', 'nested', '--partial', '2:4', '--model', model, '--points', points);
  close(many.terms[1].values, n4.values, 1e-4);
  assert.equal(many.paramGrad.layers.length, 2);
});

test('--operator biharmonic: exact stde = nested; dense Gaussian with --samples reports a standard error', () => {
  const b = (...extra: string[]) => json('--operator', 'biharmonic', '--model', model, '--points', points, ...extra);
  const exact = b('--estimator', 'stde');
  assert.equal(exact.operator, 'biharmonic');
  close(exact.values, b('--estimator', 'nested').values, 1e-4);
  const dense = b('--estimator', 'stde', '--R', '200', '--samples', '20', '--seed', '5');
  dense.values.forEach((v: number, i: number) => assert.ok(Math.abs(v - exact.values[i]) <= 5 * dense.stderr[i], `${v} vs ${exact.values[i]} ± ${dense.stderr[i]}`));
  // The Laplacian path is unchanged.
  const lap = json('--estimator', 'stde-sparse', '--model', model, '--points', points);
  close(lap.values, json('--estimator', 'nested', '--model', model, '--points', points).values, 1e-5);
});

test('--operator second-order: exact stde = nested; dense probes with --samples within their standard error; --explain shows the shift', () => {
  const so = (...extra: string[]) => json('--operator', 'second-order', '--coefficients', coefficients, '--model', model, '--points', points, ...extra);
  const exact = so('--estimator', 'stde');
  assert.equal(exact.operator, 'second-order');
  close(exact.values, so('--estimator', 'nested').values, 1e-4);
  const dense = so('--estimator', 'stde', '--R', '8', '--samples', '400', '--seed', '3');
  dense.values.forEach((v: number, i: number) => assert.ok(Math.abs(v - exact.values[i]) <= 5 * dense.stderr[i], `${v} vs ${exact.values[i]} ± ${dense.stderr[i]}`));
  const explained = run('--estimator', 'stde', '--operator', 'second-order', '--coefficients', coefficients, '--explain');
  assert.equal(explained.status, 0, explained.stderr);
  assert.match(explained.stdout, /not positive definite: S \+ λI = A·Aᵀ \(Cholesky\) with λ = /);
});

const bad: [string, string[], RegExp][] = [
  ['variable index ≥ d', ['--estimator', 'stde', '--partial', '0:2,3:1', '--model', model, '--points', points], /variable index 3 ≥ d = 3/],
  ['malformed --partial', ['--estimator', 'stde', '--partial', '0:2,,1', '--explain'], /malformed partial/],
  ['unknown partial estimator', ['--estimator', 'stde-sparse', '--partial', '0:2', '--explain'], /unknown estimator 'stde-sparse' for --partial/],
  ['jvp-hvp on a non-third-order term', ['--estimator', 'jvp-hvp', '--partial', '0:4', '--model', model, '--points', points], /only third-order terms/],
  ['unknown operator', ['--estimator', 'stde', '--operator', 'hessian', '--model', model, '--points', points], /unknown operator 'hessian'/],
  ['Rademacher biharmonic', ['--estimator', 'stde', '--operator', 'biharmonic', '--R', '4', '--dist', 'rademacher', '--model', model, '--points', points], /gaussian/],
  ['--partial with --R', ['--estimator', 'stde', '--partial', '0:1', '--R', '2', '--model', model, '--points', points], /--R does not apply/],
  ['second-order without --coefficients', ['--estimator', 'stde', '--operator', 'second-order', '--model', model, '--points', points], /needs --coefficients FILE/],
  ['--coefficients with the Laplacian', ['--estimator', 'stde-sparse', '--coefficients', coefficients, '--model', model, '--points', points], /--coefficients applies to --operator second-order only/],
  ['a coefficient matrix of another d', ['--estimator', 'stde', '--operator', 'second-order', '--coefficients', file('C2.json', [[1, 0], [0, 1]]), '--model', model, '--points', points], /a 2 × 2 matrix but the model's dimension is 3/],
  ['a non-square coefficient matrix', ['--estimator', 'nested', '--operator', 'second-order', '--coefficients', file('C3.json', [[1, 0, 0], [0, 1]]), '--explain'], /expected a square/],
  ['malformed coefficients JSON', ['--estimator', 'stde', '--operator', 'second-order', '--coefficients', file('C4.json', '[[1, 0'), '--explain'], /malformed JSON in coefficients file/],
  ['--coefficients with --partial', ['--estimator', 'stde', '--partial', '0:2', '--coefficients', coefficients, '--explain'], /--coefficients applies to --operator second-order only/],
  ['--dist for the exact second-order operator', ['--estimator', 'nested', '--operator', 'second-order', '--coefficients', coefficients, '--dist', 'gaussian', '--explain'], /--dist applies to --operator second-order with the stde estimator and R > 0/],
  ['unknown second-order estimator', ['--estimator', 'stde-sparse', '--operator', 'second-order', '--coefficients', coefficients, '--explain'], /unknown second-order estimator 'stde-sparse'/],
];

for (const [name, args, pattern] of bad) {
  test(`operator rejects ${name} with one line and exit 2`, () => {
    assertUsageError(run(...args), pattern);
  });
}
