/**
 * The fused tanh 2-jet kernels (engine/tanh-jet.ts: SIMD on wasm, WGSL on webgpu, run with
 * STDE_TEST_BACKEND=webgpu) against the same arithmetic in tf ops: values and gradients, for tangents
 * per point and shared by all points, with and without a top input.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { setup, assertClose, values } from './helpers.ts';
import { fusedTanhApplies, tanhCollapsed2, tanhJet2 } from '../engine/tanh-jet.ts';

before(setup);

const KERNEL_BACKENDS = ['wasm', 'webgpu'];
const noKernel = () => !KERNEL_BACKENDS.includes(tf.getBackend());
const SKIP = 'the fused tanh 2-jet runs on wasm and webgpu only';
/** Rows: SIMD-wide on wasm; webgpu takes any width (6 checks that). */
const width = () => (tf.getBackend() === 'webgpu' ? 6 : 8);

/** The rule in tf ops: y₁ = w·z₁, y₂ = w·(z₂ − y₀·Σ_r z₁²). */
function reference(z0: tf.Tensor, z1: tf.Tensor, z2: tf.Tensor | null): tf.Tensor[] {
  const y0 = tf.tanh(z0);
  const w = tf.sub(1, tf.square(y0));
  const s = tf.sum(tf.square(z1), 0);
  const top = tf.neg(tf.mul(y0, s));
  return [y0, tf.mul(z1, w), tf.mul(w, z2 ? tf.add(z2, top) : top)];
}

for (const [shared, withTop] of [[false, true], [false, false], [true, false], [true, true]]) {
  test(`fused tanh 2-jet = tf ops: values and gradients (${shared ? 'shared' : 'per-point'} tangent, ${withTop ? 'with' : 'no'} top input)`, (t) => {
    if (noKernel()) return t.skip(SKIP);
    tf.tidy(() => {
      const [R, N, h] = [3, 5, width()];
      const z0 = tf.randomNormal([N, h], 0, 1, 'float32', 1);
      const z1 = tf.randomNormal([R, shared ? 1 : N, h], 0, 1, 'float32', 2);
      const z2 = withTop ? tf.randomNormal([N, h], 0, 1, 'float32', 3) : null;
      // A loss that weights every output element differently, so every gradient path counts.
      const weights = [[N, h], [R, N, h], [N, h]].map((s, k) => tf.randomNormal(s, 0, 1, 'float32', 10 + k));
      const loss = (ys: tf.Tensor[]) => tf.addN(ys.map((y, k) => tf.sum(tf.mul(y, weights[k])))) as tf.Scalar;
      const inputs = z2 ? [z0, z1, z2] : [z0, z1];
      const run = (f: typeof reference) => {
        const ys = f(z0, z1, z2);
        const grads = tf.grads((...xs: tf.Tensor[]) => loss(f(xs[0], xs[1], xs[2] ?? null)))(inputs);
        return { ys, grads };
      };
      assert.ok(fusedTanhApplies(z0, z1));
      const fused = run(tanhCollapsed2);
      const ref = run(reference);
      fused.ys.forEach((y, k) => assertClose(values(y), values(ref.ys[k]), 1e-5, `y${k}`));
      fused.grads.forEach((g, k) => assertClose(values(g), values(ref.grads[k]), 1e-4, `∂z${k}`));
    });
  });
}

/** Per direction: y₂,r = w·(z₂,r − y₀·z₁,r²). */
function referencePerDirection(z0: tf.Tensor, z1: tf.Tensor, z2: tf.Tensor | null): tf.Tensor[] {
  const y0 = tf.tanh(z0);
  const w = tf.sub(1, tf.square(y0));
  const top = tf.neg(tf.mul(y0, tf.square(z1)));
  return [y0, tf.mul(z1, w), tf.mul(w, z2 ? tf.add(z2, top) : top)];
}

for (const [m1, m2] of [['N', 'N'], ['N', null], ['1', null], ['1', '1'], ['1', 'N'], ['N', '1']] as const) {
  test(`fused tanh 2-jet per direction = tf ops: values and gradients (z₁ [R, ${m1}, h], z₂ ${m2 ? `[R, ${m2}, h]` : 'none'})`, (t) => {
    if (noKernel()) return t.skip(SKIP);
    tf.tidy(() => {
      const [R, N, h] = [3, 5, width()];
      const rows = (m: string) => (m === 'N' ? N : 1);
      const z0 = tf.randomNormal([N, h], 0, 1, 'float32', 1);
      const z1 = tf.randomNormal([R, rows(m1), h], 0, 1, 'float32', 2);
      const z2 = m2 ? tf.randomNormal([R, rows(m2), h], 0, 1, 'float32', 3) : null;
      const weights = [[N, h], [R, N, h], [R, N, h]].map((s, k) => tf.randomNormal(s, 0, 1, 'float32', 10 + k));
      const loss = (ys: tf.Tensor[]) => tf.addN(ys.map((y, k) => tf.sum(tf.mul(y, weights[k])))) as tf.Scalar;
      const inputs = z2 ? [z0, z1, z2] : [z0, z1];
      const run = (f: typeof referencePerDirection) => ({
        ys: f(z0, z1, z2),
        grads: tf.grads((...xs: tf.Tensor[]) => loss(f(xs[0], xs[1], xs[2] ?? null)))(inputs),
      });
      assert.ok(fusedTanhApplies(z0, z1, z2));
      const fused = run(tanhJet2);
      const ref = run(referencePerDirection);
      fused.ys.forEach((y, k) => assertClose(values(y), values(ref.ys[k]), 1e-5, `y${k}`));
      fused.grads.forEach((g, k) => assertClose(values(g), values(ref.grads[k]), 1e-4, `∂z${k}`));
    });
  });
}

test('the fused tanh 2-jet stays out of gradients of gradients', (t) => {
  if (noKernel()) return t.skip(SKIP);
  const [z0, z1] = [tf.zeros([2, 4]), tf.randomNormal([1, 2, 4], 0, 1, 'float32', 5)];
  assert.equal(fusedTanhApplies(z0, z1), true);
  let inner: boolean | null = null;
  tf.grad((x: tf.Tensor) => tf.sum(tf.grad((y: tf.Tensor) => ((inner = fusedTanhApplies(z0, z1)), tf.sum(tf.square(y))))(x)))(tf.ones([2]));
  assert.equal(inner, false);
  assert.equal(fusedTanhApplies(tf.zeros([2, 6]), tf.zeros([1, 2, 6])), tf.getBackend() === 'webgpu', 'rows not a multiple of 4: wasm has no kernel for them');
  // Forced there anyway, a second-order gradient fails loudly instead of missing terms: the gradient
  // kernels have no gradient, and the saved y₀ is taped before the kernel that makes it (tfjs#3252).
  const z = tf.randomNormal([2, 4], 0, 1, 'float32', 4);
  const second = () => tf.grad((a: tf.Tensor) => tf.sum(tf.grad((b: tf.Tensor) => tf.sum(tanhCollapsed2(b, z1, null)[2]))(a)))(z);
  assert.throws(second, /gradient function not found|Cannot compute gradient/);
});

for (const collapsed of [true, false]) {
  test(`fused tanh 2-jet (${collapsed ? 'collapsed' : 'per direction'}): a loss of y₂ alone (no gradient reaches y₀ or y₁) = tf ops`, (t) => {
    if (noKernel()) return t.skip(SKIP);
    tf.tidy(() => {
      const [R, N, h] = [2, 3, 4];
      const z0 = tf.randomNormal([N, h], 0, 1, 'float32', 21);
      const z1 = tf.randomNormal([R, N, h], 0, 1, 'float32', 22);
      const z2 = tf.randomNormal(collapsed ? [N, h] : [R, N, h], 0, 1, 'float32', 23);
      const w = tf.randomNormal(collapsed ? [N, h] : [R, N, h], 0, 1, 'float32', 24);
      const [fused, ref] = [collapsed ? tanhCollapsed2 : tanhJet2, collapsed ? reference : referencePerDirection];
      const grads = (f: typeof reference) => tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.sum(tf.mul(f(a, b, c)[2], w)))([z0, z1, z2]);
      const [got, want] = [grads(fused), grads(ref)];
      got.forEach((g, k) => assertClose(values(g), values(want[k]), 1e-4, `∂z${k}`));
    });
  });
}
