/** `stde-bench operator`: JSON output and one-line errors with exit code 2 on bad input. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { assertUsageError, operatorFixture } from './operator-fixture.ts';

const { dir, file, model, points, bin, run } = operatorFixture('stde-op-');

test('operator prints values, u and the parameter gradient; exact estimators agree', () => {
  const out = (e: string) =>
    JSON.parse(execFileSync(process.execPath, [bin, 'operator', '--estimator', e, '--model', model, '--points', points, '--grad'], { encoding: 'utf8' }));
  const a = out('stde-sparse');
  const b = out('nested');
  assert.deepEqual(Object.keys(a).slice(0, 3), ['estimator', 'values', 'u']);
  assert.equal(a.values.length, 2);
  a.values.forEach((v: number, i: number) => assert.ok(Math.abs(v - b.values[i]) < 1e-5));
  assert.equal(a.paramGrad.layers.length, 2);
  assert.equal(a.paramGrad.layers[0].weight.length, 3);
  assert.equal(a.paramGrad.layers[1].bias.length, 1);
  a.paramGrad.layers[0].weight.flat().forEach((g: number, i: number) => assert.ok(Math.abs(g - b.paramGrad.layers[0].weight.flat()[i]) < 1e-4));
});

test('operator --samples reports the mean and a standard error per point', () => {
  const r = run('--estimator', 'stde-dense', '--model', model, '--points', points, '--R', '2', '--samples', '50', '--seed', '3');
  assert.equal(r.status, 0, r.stderr);
  const o = JSON.parse(r.stdout);
  assert.equal(o.samples, 50);
  assert.equal(o.stderr.length, 2);
  o.stderr.forEach((s: number) => assert.ok(s > 0));
});

const bad: [string, string[], RegExp][] = [
  ['unknown estimator', ['--estimator', 'magic', '--model', model, '--points', points], /unknown estimator 'magic'/],
  ['malformed model JSON', ['--estimator', 'nested', '--model', file('bad.json', '{"layers": [1,'), '--points', points], /malformed JSON/],
  ['malformed points JSON', ['--estimator', 'nested', '--model', model, '--points', file('badp.json', '[[0.1, 0.2')], /malformed JSON/],
  ['dimension mismatch', ['--estimator', 'nested', '--model', model, '--points', file('p2.json', [[0.1, 0.2]])], /expects 3/],
  ['R > d', ['--estimator', 'stde-sparse', '--model', model, '--points', points, '--R', '4'], /exceeds the dimension/],
  ['negative R', ['--estimator', 'stde-sparse', '--model', model, '--points', points, '--R', '-1'], /--R must be/],
  ['--dist for an estimator without probes', ['--estimator', 'stde-sparse', '--model', model, '--points', points, '--R', '2', '--dist', 'gaussian'], /--dist applies to the estimators that draw probes \(stde-dense, stde-collapsed-dense\), not stde-sparse$/],
  ['missing file', ['--estimator', 'nested', '--model', join(dir, 'nope.json'), '--points', points], /cannot read model file/],
  // Options the evaluation would ignore: refused, not dropped without a word.
  ['--R for an exact estimator', ['--estimator', 'forward-laplacian', '--model', model, '--points', points, '--R', '2'], /--R does not apply to forward-laplacian: it computes the exact operator over all d dimensions$/],
  ['--R for the nested biharmonic', ['--estimator', 'nested', '--operator', 'biharmonic', '--model', model, '--points', points, '--R', '2'], /--R does not apply to nested: it computes the exact operator/],
  ['--dist for the exact biharmonic', ['--estimator', 'stde', '--operator', 'biharmonic', '--model', model, '--points', points, '--dist', 'gaussian'], /--dist applies to --operator biharmonic with the stde estimator and R > 0/],
  ['--dist with --partial', ['--estimator', 'stde', '--partial', '0:2', '--model', model, '--points', points, '--dist', 'gaussian'], /--dist does not apply to --partial/],
  ['a misspelt key in the model file', ['--estimator', 'nested', '--model', file('typo.json', { activaton: 'relu', layers: [{ weight: [[1], [1], [1]], bias: [0] }] }), '--points', points], /typo\.json: unknown key 'activaton' \(known keys: activation, layers\)$/],
  // A [3 × 4] layer feeding a [5 × 1] one: refused by name, not left to crash inside tfjs's matMul.
  ['layers that do not chain in the model file', ['--estimator', 'nested', '--model', file('chain.json', { layers: [{ weight: [[1, 2, 3, 4], [1, 2, 3, 4], [1, 2, 3, 4]], bias: [0, 0, 0, 0] }, { weight: [[1], [1], [1], [1], [1]], bias: [0] }] }), '--points', points], /chain\.json: layer 1 has fan_in 5 but the previous layer outputs 4$/],
  // --samples averages draws: where every draw is the same there is nothing to average (it printed stderr 0).
  ['--samples for an exact estimator', ['--estimator', 'forward-laplacian', '--model', model, '--points', points, '--samples', '5'], /--samples does nothing here: forward-laplacian computes the exact Laplacian, so every draw gives the same values$/],
  ['--samples at R = 0', ['--estimator', 'stde-sparse', '--model', model, '--points', points, '--samples', '5'], /stde-sparse at R = 0 computes the exact Laplacian/],
  ['--samples at R = d', ['--estimator', 'stde-sparse', '--model', model, '--points', points, '--R', '3', '--samples', '5'], /stde-sparse at R = d = 3 samples every dimension/],
  ['--samples with --partial', ['--estimator', 'stde', '--partial', '0:2', '--model', model, '--points', points, '--samples', '5'], /partial derivatives are computed exactly/],
  ['--samples for the exact biharmonic', ['--estimator', 'stde', '--operator', 'biharmonic', '--model', model, '--points', points, '--samples', '5'], /stde at R = 0 computes the exact operator/],
  ['--grad with --explain', ['--estimator', 'stde', '--partial', '0:2', '--explain', '--grad'], /--grad does nothing with --explain: it prints the plan and evaluates nothing$/],
  ['unknown backend', ['--estimator', 'nested', '--model', model, '--points', points, '--backend', 'tpu'], /unknown backend 'tpu'/],
  ['optional tensorflow backend absent', ['--estimator', 'nested', '--model', model, '--points', points, '--backend', 'tensorflow'], /@tensorflow\/tfjs-node/],
];

for (const [name, args, pattern] of bad) {
  test(`operator rejects ${name} with one line and exit 2`, () => {
    assertUsageError(run(...args), pattern);
  });
}
