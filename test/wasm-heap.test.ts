/** Allocations past the 2 GiB that tfjs-backend-wasm handles correctly fail loudly as out of memory. */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { setup, TEST_BACKEND } from './helpers.ts';
import { assertWasmHeapHealthy, wasmHeapBytes } from '../engine/wasm-heap.ts';

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
    // Refusing short of the limit leaves room for Emscripten's growth step: the heap itself stays
    // within 2 GiB, so the per-step health check passes.
    assert.ok(wasmHeapBytes()! <= 2 ** 31, `heap ${wasmHeapBytes()} B`);
    assert.doesNotThrow(assertWasmHeapHealthy);
  } finally {
    held.forEach((t) => t.dispose());
  }
});
