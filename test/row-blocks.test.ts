/**
 * Row-blocked construction and reduction of large [n, d] tensors (engine/row-blocks.ts): the same
 * values (and gradients) as the one-piece ops, and the unit-ball sampler still draws in the ball.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { setup, assertClose, values } from './helpers.ts';
import { stackRowBlocks, sumSquaresByRows, ROW_BLOCK_FLOATS, OFF_HEAP_BLOCK_FLOATS, rowBlockFloats, perBlock } from '../engine/row-blocks.ts';
import { testBatchSize } from '../benchmarks/training/evaluate.ts';
import { unitBall } from '../sampling/domains.ts';
import { normalsFromKey } from '../sampling/threefry.ts';
import { rngFromSeed } from '../sampling/rng.ts';

before(setup);

test('stackRowBlocks builds the same rows as one concat, block after block, and keeps nothing else', () => {
  const draw = (start: { next: number }) => (rows: number) => {
    const s = start.next;
    start.next += rows;
    return tf.add(tf.reshape(tf.range(s * 5, (s + rows) * 5), [rows, 5]), 0.5);
  };
  const want = values(tf.add(tf.reshape(tf.range(0, 7 * 5), [7, 5]), 0.5));
  stackRowBlocks(7, 5, 3, draw({ next: 0 })).dispose();
  const live = tf.memory().numTensors;
  const got = stackRowBlocks(7, 5, 3, draw({ next: 0 })); // blocks of 3, 3, 1
  assert.deepEqual(got.shape, [7, 5]);
  assert.deepEqual(values(got), want);
  assert.equal(tf.memory().numTensors, live + 1);
});

test('sumSquaresByRows: values, gradient and second derivative of the one-piece Σ a²', () => {
  const a = tf.randomNormal([7, 4], 0, 1, 'float32', 3) as tf.Tensor2D;
  const w = tf.randomNormal([7], 0, 1, 'float32', 4);
  assertClose(values(sumSquaresByRows(a, 3)), values(tf.sum(tf.square(a), -1)), 1e-6, 'value');
  const loss = (f: (x: tf.Tensor2D) => tf.Tensor) => (x: tf.Tensor) => tf.sum(tf.mul(tf.square(f(x as tf.Tensor2D)), w));
  const blocked = loss((x) => sumSquaresByRows(x, 3));
  const plain = loss((x) => tf.sum(tf.square(x), -1));
  assertClose(values(tf.grad(blocked)(a)), values(tf.grad(plain)(a)), 1e-5, 'gradient');
  // second order: the gradient is built from ordinary ops
  const hvp = (f: (x: tf.Tensor) => tf.Tensor) => tf.grad((x: tf.Tensor) => tf.sum(tf.grad(f)(x)))(a);
  assertClose(values(hvp(blocked)), values(hvp(plain)), 1e-4, 'second derivative');
});

test('the unit-ball sampler drawn in row blocks stays in the ball and is deterministic', () => {
  const d = Math.ceil(ROW_BLOCK_FLOATS / 30); // 30 rows per block: 100 points take 4 blocks
  const ball = unitBall(d);
  const x = ball.interior(100, rngFromSeed(5));
  assert.deepEqual(x.shape, [100, d]);
  const r = values(tf.sqrt(tf.sum(tf.square(x), -1)));
  assert.ok(r.every((v) => v <= 1 + 1e-5), 'radius ≤ 1');
  const mean = r.reduce((s, v) => s + v, 0) / r.length;
  assert.ok(mean > 0.35 && mean < 0.65, `radius-uniform mean radius ${mean}`);
  assert.deepEqual(values(ball.interior(100, rngFromSeed(5))), values(x));
  assert.notDeepEqual(values(tf.slice(x, [0, 0], [30, 8])), values(tf.slice(x, [30, 0], [30, 8])));
  // The points do not depend on the blocks (one block on other backends): the same as one whole draw
  // of the normals and of the radii, made with the same draws from the stream.
  const rng = rngFromSeed(5);
  const [k0, k1, seed] = [rng.int31(), rng.int31(), rng.int31()];
  const z = normalsFromKey([100, d], k0, k1) as tf.Tensor2D;
  const whole = tf.mul(z, tf.div(tf.randomUniform([100, 1], 0, 1, 'float32', seed), tf.norm(z, 'euclidean', 1, true)));
  const worst = tf.max(tf.abs(tf.sub(x, whole))).dataSync()[0];
  assert.ok(worst < 1e-6, `row-blocked ball points differ from one draw by ${worst}`); // entries ~ 1/√d ≈ 5·10⁻³
});

test('the block budget follows the backend: the WASM heap budget on wasm, 512 MB temporaries on cpu', async () => {
  const was = tf.getBackend();
  try {
    await tf.setBackend('wasm');
    assert.equal(rowBlockFloats(), ROW_BLOCK_FLOATS);
    assert.equal(perBlock(10 ** 6), 1); // d = 10⁶ on wasm: one point per block
    assert.equal(testBatchSize(10 ** 6), 1);
    await tf.setBackend('cpu');
    assert.equal(rowBlockFloats(), OFF_HEAP_BLOCK_FLOATS);
    assert.equal(perBlock(10 ** 6), 134); // the 100 training points of a step in one block
    assert.equal(testBatchSize(10 ** 6), 134);
    assert.equal(testBatchSize(100), 200); // the published test batch where it fits
  } finally {
    await tf.setBackend(was);
  }
});
