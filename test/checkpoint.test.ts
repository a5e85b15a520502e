/**
 * Checkpointed estimators (operators/checkpoint.ts): the same terms and the same gradients (for the
 * parameters and the points) as the estimator they wrap, with a peak memory that does not grow
 * with the number of sampled dimensions, and no tensor left behind.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { setup, randomModel, randomPoints, assertClose, values } from './helpers.ts';
import { getEstimator } from '../operators/registry.ts';
import { networkOf, zeroBoundaryBall, type Target } from '../operators/target.ts';
import { trainableVariables } from '../model/mlp.ts';
import { rngFromSeed } from '../sampling/rng.ts';
import type { Estimator } from '../operators/estimator.ts';

before(setup);

const d = 6;
const target = (): Target => ({ model: randomModel({ dim: d, width: 8, depth: 3 }, 5), ansatz: zeroBoundaryBall(d) });

/** Terms, and the gradient of a PINN-like loss w.r.t. every parameter and the points. */
function evaluate(e: Estimator, t: Target, x: tf.Tensor2D, R: number) {
  const vars = trainableVariables(networkOf(t, 'test'));
  const loss = () => {
    const r = e.laplacian({ target: t, x, d, R, dist: 'rademacher', rng: rngFromSeed(3) });
    // A weighted sum of the terms exercises every row of the incoming gradient, not only their sum.
    const weights = tf.linspace(0.5, 1.5, r.terms!.shape[0]).reshape([-1, 1]);
    return tf.add(tf.mean(tf.square(r.value)), tf.sum(tf.mul(r.terms!, weights))) as tf.Scalar;
  };
  const { grads } = tf.engine().gradients(loss, [x, ...vars]);
  const r = e.laplacian({ target: t, x, d, R, dist: 'rademacher', rng: rngFromSeed(3) });
  return { terms: values(r.terms!), indices: r.indices, grads: grads.map(values) };
}

for (const [wrapped, base, R] of [
  ['nested-checkpointed', 'nested', 5],
  ['nested-batched-checkpointed', 'nested-batched', 6], // two chunks: 4 + 2
] as const) {
  test(`${wrapped} gives ${base}'s terms and gradients (R = ${R})`, () => {
    const t = target();
    const x = randomPoints(4, d, 11, 0.4);
    const want = evaluate(getEstimator(base), t, x, R);
    const got = evaluate(getEstimator(wrapped), t, x, R);
    assert.deepEqual(got.indices, want.indices);
    assertClose(got.terms, want.terms, 1e-4, 'terms');
    want.grads.forEach((g, k) => assertClose(got.grads[k], g, 1e-3, `gradient ${k === 0 ? 'x' : `parameter ${k - 1}`}`));
  });
}

/** tf.profile peak bytes of one loss-and-gradient computation. */
async function peakBytes(name: string, R: number, dim: number): Promise<number> {
  const t: Target = { model: randomModel({ dim, width: 16, depth: 3 }, 8), ansatz: zeroBoundaryBall(dim) };
  const x = randomPoints(8, dim, 13, 0.05);
  const e = getEstimator(name);
  const before = tf.memory().numBytes;
  const prof = await tf.profile(() =>
    tf.tidy(() => {
      const { value } = tf.variableGrads(() => tf.mean(e.laplacian({ target: t, x, d: dim, R, dist: 'rademacher', rng: rngFromSeed(1) }).value) as tf.Scalar, trainableVariables(networkOf(t, 'test')));
      value.dataSync();
    }),
  );
  return prof.peakBytes - before;
}

test('checkpointing bounds the memory of nested backprop: it does not grow with R', async () => {
  const dim = 400;
  const [plain1, plain8] = [await peakBytes('nested', 1, dim), await peakBytes('nested', 8, dim)];
  const [ckpt1, ckpt8] = [await peakBytes('nested-checkpointed', 1, dim), await peakBytes('nested-checkpointed', 8, dim)];
  assert.ok(plain8 > 3 * plain1, `nested: the tape grows with R (${plain1} → ${plain8} B)`);
  assert.ok(ckpt8 < 1.2 * ckpt1, `nested-checkpointed: R = 8 peaks at ${ckpt8} B, R = 1 at ${ckpt1} B`);
  assert.ok(ckpt8 < plain8 / 3, `nested-checkpointed ${ckpt8} B vs nested ${plain8} B at R = 8`);
});

test('a checkpointed step leaves no tensor behind', () => {
  const t = target();
  const x = randomPoints(4, d, 2, 0.4);
  const e = getEstimator('nested-batched-checkpointed');
  const step = () =>
    tf.tidy(() => {
      const { value } = tf.variableGrads(() => tf.mean(e.laplacian({ target: t, x, d, R: 6, dist: 'rademacher', rng: rngFromSeed(4) }).value) as tf.Scalar, trainableVariables(networkOf(t, 'test')));
      value.dataSync();
    });
  step();
  const live = tf.memory().numTensors;
  step();
  assert.equal(tf.memory().numTensors, live);
});
