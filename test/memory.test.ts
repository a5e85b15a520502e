/**
 * Memory of one stde-sparse evaluation + parameter gradient at d = 1e5, R = 16, 100 points.
 * Basis tangents are indices (the first layer gathers rows of W₁), so no kernel ever produces an
 * [R, d] or [R, N, d] tensor, and the tf.profile peak stays within a small constant of
 * (input batch + first-layer weight).
 *
 * tf.profile counts every tensor object, including the buffers the tape's clones share, so the
 * constant covers x, W₁, their saved clones, xᵀ and the W₁ gradient (dense part, gathered-row part
 * and their sum).
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { setup, randomModel } from './helpers.ts';
import { stdeSparse } from '../estimators/stde-sparse.ts';
import { trainableVariables } from '../model/mlp.ts';
import { rngFromSeed } from '../sampling/rng.ts';
import { profile } from '../engine/profile.ts';

before(setup);

const d = 100_000;
const N = 100;

test('stde-sparse at d = 1e5: peak bytes ≈ input + first layer, no [R, d] tensor', async () => {
  const model = randomModel({ dim: d, width: 128, depth: 4 }, 1);
  const x = tf.randomUniform([N, d], -0.01, 0.01, 'float32', 3) as tf.Tensor2D;
  const base = (N * d + d * 128) * 4;
  const R = 16;
  const prof = await tf.profile(() => {
        const { value, grads } = tf.variableGrads(
          () => tf.tidy(() => tf.mean(tf.square(stdeSparse.laplacian({ target: { model }, x, d, R, dist: 'rademacher', rng: rngFromSeed(1) }).value))) as tf.Scalar,
          trainableVariables(model),
        );
        value.dispose();
        Object.values(grads).forEach((g) => g.dispose());
  });
  assert.ok(prof.peakBytes <= 6 * base, `peak ${(prof.peakBytes / 2 ** 20).toFixed(0)} MB > 6 × ${(base / 2 ** 20).toFixed(0)} MB`);
  for (const k of prof.kernels) {
    for (const shape of k.outputShapes) {
      const perDirection = shape.includes(d) && (shape[0] === R || shape.includes(R * N));
      assert.ok(!perDirection, `${k.name} produced a per-direction input-sized tensor ${JSON.stringify(shape)}`);
    }
  }
});

test('the profile of a call past ~10⁵ kernels, where tf.profile itself overflows the stack: its peak and its kernels', async (t) => {
  const n = 140_000;
  let atEnd = 0;
  // Inside the tidy every result stays alive, so the peak is the memory after the last kernel (± its scalar).
  const f = () =>
    void tf.tidy(() => {
      let a = tf.ones([4]);
      for (let i = 0; i < n; i++) a = tf.add(a, 1);
      atEnd = tf.memory().numBytes;
    });
  // Math.max(...a) overflows between 1.25·10⁵ and 1.3·10⁵ arguments with Node 20's default stack.
  const raw = await tf.profile(f).then(
    (p) => p.peakBytes,
    (e: unknown) => e,
  );
  if (typeof raw === 'number') t.diagnostic(`tf.profile did not overflow at ${n} kernels here; only the agreement with it is checked`);
  else assert.ok(raw instanceof RangeError, String(raw));
  const prof = await profile(f);
  assert.ok(Math.abs(prof.peakBytes - atEnd) <= 4, `peak ${prof.peakBytes} vs ${atEnd} after the last kernel`);
  if (typeof raw === 'number') assert.equal(prof.peakBytes, raw);
  assert.equal(prof.kernels.filter((k) => k.name === 'Add').length, n);
  assert.ok(prof.kernels.every((k) => typeof k.kernelTimeMs !== 'object'), 'kernel times are awaited');
  assert.deepEqual(prof.kernelNames, ['Add']);
  const engine = (tf.engine() as unknown as { state: { activeProfile: { kernels: unknown[] } } }).state;
  assert.equal(engine.activeProfile.kernels.length, 0, 'the engine let go of the kernel records');
  const small = () => void tf.tidy(() => void tf.add(tf.ones([4]), 1));
  const smallPeak = (await tf.profile(small)).peakBytes;
  assert.equal((await profile(small)).peakBytes, smallPeak);
});
