/**
 * The chunked long-inner-axis product (engine/long-product.ts): when it cuts, and that the cut
 * product has the plain product's values and first and second derivatives. The cut itself runs on
 * webgpu only, so on other backends the chunk count is checked and the cut path is exercised by
 * `npm run test:webgpu`.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { setup, TEST_BACKEND } from './helpers.ts';
import { innerChunks, longProduct } from '../engine/long-product.ts';

before(setup);

test('innerChunks: only on webgpu, only long inner axes and small outputs, an exact divisor near 8192 per chunk', () => {
  assert.equal(innerChunks(1e6, 100, 128, 'wasm'), 1);
  assert.equal(innerChunks(1e6, 100, 128, 'cpu'), 1);
  assert.equal(innerChunks(1e4, 100, 128, 'webgpu'), 1); // short: the plain product is parallel enough
  assert.equal(innerChunks(1e6, 1600, 128, 'webgpu'), 1); // a large output fills the GPU by itself
  assert.equal(innerChunks(1e6, 100, 128, 'webgpu'), 125); // 8000 per chunk
  assert.equal(innerChunks(1e5, 200, 128, 'webgpu'), 16); // 6250 per chunk
  assert.equal(innerChunks(65537, 100, 128, 'webgpu'), 1); // prime: no exact cut, left alone
  assert.equal(innerChunks(2 ** 15, 100, 128, 'webgpu'), 4); // the shortest inner axis that is cut
  for (const k of [2 ** 15, 3 ** 10, 1e6, 5e6, 123456]) {
    const c = innerChunks(k, 100, 128, 'webgpu');
    assert.equal(k % c, 0);
    if (c > 1) assert.ok(k / c >= 2048 && k / c <= 8192, `k = ${k}: chunks of ${k / c}`);
  }
});

test('longProduct equals matMul: values, dW and a second derivative', { skip: TEST_BACKEND === 'webgpu' ? false : 'cuts on webgpu only (npm run test:webgpu)' }, () => {
  const k = 3 * 2 ** 14; // 49152: cut into 6 chunks of 8192
  assert.equal(innerChunks(k, 3, 4), 6);
  const a = tf.randomNormal([3, k], 0, 1, 'float32', 1) as tf.Tensor2D;
  const W = tf.randomNormal([k, 4], 0, 0.01, 'float32', 2) as tf.Tensor2D;
  const loss = (f: (x: tf.Tensor2D, w: tf.Tensor2D) => tf.Tensor2D) => (w: tf.Tensor) => tf.sum(tf.square(tf.tanh(f(a, w as tf.Tensor2D))));
  /** ‖x − y‖ / ‖y‖ (the arrays are too long for element-wise messages). */
  const relErr = (x: tf.Tensor, y: tf.Tensor) => tf.norm(tf.sub(x, y)).dataSync()[0] / tf.norm(y).dataSync()[0];
  const close = (x: tf.Tensor, y: tf.Tensor, tol: number, what: string) => {
    assert.deepEqual(x.shape, y.shape, what);
    const e = relErr(x, y);
    assert.ok(e < tol && tf.norm(y).dataSync()[0] > 0, `${what}: relative error ${e}`);
  };
  close(longProduct(a, W), tf.matMul(a, W), 1e-5, 'a·W');
  const grad = (f: Parameters<typeof loss>[0]) => tf.grad(loss(f))(W);
  close(grad(longProduct), grad(tf.matMul), 1e-5, 'dW');
  // d/dW of Σ (∂loss/∂W)², through the product twice
  const second = (f: Parameters<typeof loss>[0]) => tf.grad((w: tf.Tensor) => tf.sum(tf.square(tf.grad(loss(f))(w))))(W);
  close(second(longProduct), second(tf.matMul), 1e-4, 'second derivative');
});
