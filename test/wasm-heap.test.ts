/** Allocations past the 2 GiB that tfjs-backend-wasm handles correctly fail loudly as out of memory. */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { setup, TEST_BACKEND } from './helpers.ts';

before(setup);

test('a WASM allocation ending above 2 GiB throws an out-of-memory error', { skip: TEST_BACKEND !== 'wasm' }, () => {
  const held: tf.Tensor[] = [];
  try {
    assert.throws(() => {
      for (let i = 0; i < 40; i++) held.push(tf.fill([2 ** 24], 1)); // 40 × 64 MB
    }, /out of memory: WASM allocation/);
    assert.ok(held.length >= 20 && held.length < 40, `refused after ${held.length} × 64 MB`);
    // Memory below the limit still computes correctly.
    assert.equal(tf.sum(held[0]).dataSync()[0], 2 ** 24);
  } finally {
    held.forEach((t) => t.dispose());
  }
});
