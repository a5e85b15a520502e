/**
 * The loss forms (method.md §4): the biased loss (the paper's) and the unbiased one of Eq. 25, whose
 * value and gradient are, in expectation over the draws, those of the loss with the exact operator.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { setup, assertClose, values, meanAndError } from './helpers.ts';
import { resolveRun, type RunRequest } from '../benchmarks/training/run-config.ts';
import { buildRun, lossPass } from '../benchmarks/training/train.ts';
import { biasedLoss, unbiasedLoss } from '../benchmarks/training/loss.ts';
import { rngFromSeed } from '../sampling/rng.ts';
import { UsageError } from '../engine/errors.ts';

before(setup);

test('unbiased loss: value w·mean(r_J·r_K), gradient 2w·mean(r_K·∇r_J) with r_K a constant; a part without randomness, or marked keepSquare, gets the biased value and gradient', () => {
  const a = tf.variable(tf.tensor1d([0.5, -1.5, 2]), true, 'loss-test/a');
  const u = tf.tensor1d([1, 2, 3]);
  const rK = tf.tensor1d([0.25, -2, 1]);
  const w = 3;
  const partsOf = () => [{ name: 'residual', weight: w, r: tf.mul(a, u) }]; // r_J = a ⊙ u, ∂r_J/∂a = u
  const { value, grads } = tf.variableGrads(() => unbiasedLoss(partsOf(), [rK]), [a]);
  const rJ = values(tf.mul(a, u));
  const k = values(rK);
  const n = 3;
  assert.ok(Math.abs(values(value)[0] - (w / n) * rJ.reduce((s, r, i) => s + r * k[i], 0)) < 1e-5);
  assertClose(values(grads['loss-test/a']), values(u).map((ui, i) => (2 * w * k[i] * ui) / n), 1e-6, 'gradient');
  // r_K = r_J (made outside the tape, as train makes r_K): what the biased loss gives.
  const rJOutside = tf.mul(a, u);
  const same = tf.variableGrads(() => unbiasedLoss(partsOf(), [rJOutside]), [a]);
  const biased = tf.variableGrads(() => biasedLoss(partsOf()), [a]);
  assertClose(values(same.value), values(biased.value), 1e-6, 'value');
  assertClose(values(same.grads['loss-test/a']), values(biased.grads['loss-test/a']), 1e-6, 'gradient');
  // A part marked keepSquare (the gPINN pairs) keeps the biased square whatever the second draw.
  const kept = () => [{ ...partsOf()[0], keepSquare: true }];
  const keptU = tf.variableGrads(() => unbiasedLoss(kept(), [rK]), [a]);
  assertClose(values(keptU.value), values(biased.value), 1e-6, 'keepSquare value');
  assertClose(values(keptU.grads['loss-test/a']), values(biased.grads['loss-test/a']), 1e-6, 'keepSquare gradient');
  a.dispose();
});

test("over the draws, the unbiased loss and its gradient average to the exact operator's; the biased loss exceeds it by the estimator's variance", () => {
  const base: RunRequest = { pde: 'allen-cahn-two-body', dim: 6, estimator: 'stde-sparse', R: 1, width: 8, depth: 3, points: 8 };
  const run = buildRun(resolveRun({ ...base, loss: 'unbiased' }));
  // The first layer at three times its initial scale: tanh far from linear, Hessian diagonals far
  // apart, so the estimator's variance (the biased loss's excess) stands ~8 standard errors clear.
  run.vars[0].assign(tf.mul(run.vars[0], 3));
  const data = run.lossProblem.sample(rngFromSeed('loss-points'), { points: 8, boundaryPoints: 0 });
  const direction = run.vars.map((v, i) => tf.randomNormal(v.shape, 0, 1, 'float32', 100 + i));
  /** Loss and gradient·direction of one draw. */
  const measure = (req: RunRequest, step: string): [number, number] =>
    tf.tidy(() => {
      const { value, grads } = lossPass(resolveRun(req), run.lossProblem, run.target, run.vars).lossAndGrads(data, rngFromSeed(step));
      const slope = run.vars.reduce((s, v, i) => s + tf.sum(tf.mul(grads[v.name], direction[i])).dataSync()[0], 0);
      return [value.dataSync()[0], slope];
    });
  const [exactLoss, exactSlope] = measure({ ...base, R: 0 }, 'exact');
  const draws = 300;
  const stats = (req: RunRequest) => {
    const samples = Array.from({ length: draws }, (_, s) => measure(req, `draw-${s}`));
    return [0, 1].map((j) => meanAndError(samples.map((p) => p[j])));
  };
  const [uLoss, uSlope] = stats({ ...base, loss: 'unbiased' });
  const [bLoss] = stats(base);
  assert.ok(Math.abs(uLoss.mean - exactLoss) < 4 * uLoss.se, `unbiased loss ${uLoss.mean} ± ${uLoss.se}, exact ${exactLoss}`);
  assert.ok(Math.abs(uSlope.mean - exactSlope) < 4 * uSlope.se, `unbiased gradient·v ${uSlope.mean} ± ${uSlope.se}, exact ${exactSlope}`);
  assert.ok(bLoss.mean - exactLoss > 4 * bLoss.se, `biased loss ${bLoss.mean} ± ${bLoss.se} should exceed the exact ${exactLoss}`);
  tf.dispose(direction);
  run.dispose();
});

test('--loss unbiased is refused where the method draws nothing (R = 0, an exact method, the data fit) or every dimension (R = d without replacement)', () => {
  const base: RunRequest = { pde: 'allen-cahn-two-body', dim: 6, estimator: 'stde-sparse', loss: 'unbiased' };
  for (const req of [{ ...base, R: 0 }, { ...base, estimator: 'forward-laplacian', R: 0 }, { ...base, estimator: 'none' }, { ...base, R: 6 }]) {
    assert.throws(() => resolveRun(req), (e: Error) => e instanceof UsageError && /--loss unbiased needs two independent estimates/.test(e.message), JSON.stringify(req));
  }
  assert.throws(() => resolveRun({ ...base, R: 6 }), /and R = d = 6 draws every dimension: both would be the same$/);
  assert.equal(resolveRun({ ...base, R: 5 }).loss, 'unbiased');
  assert.equal(resolveRun({ ...base, estimator: 'stde-dense', R: 6 }).loss, 'unbiased'); // probes: random at any R
  assert.equal(resolveRun({ ...base, R: 2 }).loss, 'unbiased');
  assert.equal(resolveRun({ ...base, R: 2, loss: undefined }).loss, 'biased');
});

test('the gPINN pair term keeps its square under the unbiased loss (D10: pair k of one draw has no counterpart in another)', () => {
  const cfg = resolveRun({ pde: 'allen-cahn-two-body-gpinn', dim: 6, estimator: 'stde-sparse', R: 2, width: 8, loss: 'unbiased' });
  const run = buildRun(cfg);
  tf.tidy(() => {
    const data = run.lossProblem.sample(rngFromSeed(1), { points: 4, boundaryPoints: 0 });
    const ctx = { target: run.target, method: { name: cfg.method, estimator: cfg.estimator }, R: 2, dist: cfg.dist, rng: rngFromSeed(2) };
    assert.deepEqual(run.lossProblem.residuals(data, ctx).map((p) => [p.name, Boolean(p.keepSquare)]), [['pde', false], ['gpinn', true]]);
  });
  run.dispose();
});
