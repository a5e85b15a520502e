/**
 * The wide first layer (engine/wide-layer.ts) and the off-heap Adam moments it enables: forced on
 * a small model (thresholds lowered), every estimator's value, u and parameter gradient match the
 * plain path, and Adam's updates match the tensor implementation. On wasm only (heap views). Each
 * test also checks that the wide path ran: the weights went through wideMatMulGather (widePathCalls),
 * xᵀ·dz was written by the SIMD kernel (timeDirectCalls), Adam kept no moment tensors for them.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { setup, randomModel, randomPoints, assertClose, values, TEST_BACKEND } from './helpers.ts';
import { WIDE, isWide, wideMatMulGather, widePathCalls } from '../engine/wide-layer.ts';
import { ESTIMATORS } from '../operators/registry.ts';
import { zeroBoundaryBall, type Target } from '../operators/target.ts';
import { trainableVariables, type MLP } from '../model/mlp.ts';
import { rngFromSeed } from '../sampling/rng.ts';
import { Adam } from '../benchmarks/training/adam.ts';
import { HOST_STAGING } from '../engine/simd/adam.ts';
import { timeDirectCalls } from '../engine/simd/simd.ts';

const skip = TEST_BACKEND !== 'wasm';
const saved = { ...WIDE };
before(setup);
after(() => Object.assign(WIDE, saved));

const LOWERED = { elements: 16, blockElements: 3 * 8 };

/** Run f with every weight of ≥ 2 × 8 entries wide, in row blocks of 3 (so blocks and a ragged tail). */
function wide<T>(f: () => T): T {
  Object.assign(WIDE, LOWERED);
  try {
    return f();
  } finally {
    Object.assign(WIDE, saved);
  }
}

/**
 * d = 7 and 5 points: widths our SIMD kernels do not take, so the product and xᵀ·dz go over sliced
 * blocks; d = 8 and 8 points: x·W and xᵀ·dz whole, read and written in place.
 */
const SHAPES = [
  { d: 7, n: 5 },
  { d: 8, n: 8 },
];
const d = 7;
const model = (dim = d): MLP => randomModel({ dim, width: 8, depth: 3 }, 21);
/** The weights that the lowered thresholds make wide: the first and the hidden layer's, not the [8, 1] output's. */
const wideWeights = (m: MLP) => m.layers.map((l) => l.W).filter((W) => W.size >= LOWERED.elements);
/** Calls of the direct SIMD operation `name` in a timeDirectCalls session. */
const callsOf = (direct: Map<string, { count: number }>, name: string) => direct.get(name)?.count ?? 0;

function evaluate(name: string, m: MLP, dim: number, n: number) {
  const e = ESTIMATORS.find((x) => x.name === name)!;
  const target: Target = { model: m, ansatz: zeroBoundaryBall(dim) };
  const x = randomPoints(n, dim, 3, 0.4);
  const R = e.sampling === 'exact' ? 0 : 3;
  const run = () => e.laplacian({ target, x, d: dim, R, dist: 'rademacher', rng: rngFromSeed(9) });
  const vars = trainableVariables(m);
  const { grads } = tf.variableGrads(() => {
    const r = run();
    return tf.add(tf.mean(tf.square(r.value)), tf.mean(r.u)) as tf.Scalar;
  }, vars);
  const r = run();
  return { value: values(r.value), u: values(r.u), grads: vars.map((v) => values(grads[v.name])) };
}

for (const e of ESTIMATORS) {
  for (const { d: dim, n } of SHAPES) {
    test(`the wide first layer gives ${e.name} the same value, u and parameter gradient (d = ${dim}, ${n} points)`, { skip }, async () => {
      const m = model(dim);
      const plain = evaluate(e.name, m, dim, n);
      const ws = wideWeights(m);
      assert.equal(ws[0], m.layers[0].W);
      // isWide sends them wide under nested gradients too (first-order runs would take the wide path anyway: > blockElements).
      assert.ok(wide(() => ws.every(isWide)), 'the lowered thresholds make the first and hidden weights wide');
      const calls = ws.map(widePathCalls);
      const { result: viaWide, direct } = await timeDirectCalls(async () => wide(() => evaluate(e.name, m, dim, n)));
      ws.forEach((W, k) => assert.ok(widePathCalls(W) > calls[k], `weight ${k} did not go through wideMatMulGather`));
      // The hidden [8, 8] weight's xᵀ·dz always fits the SIMD kernel, the first layer's at d = 8.
      assert.ok(callsOf(direct, 'wide_weight_gradient') >= (dim % 4 === 0 ? 2 : 1), `wide_weight_gradient ran ${callsOf(direct, 'wide_weight_gradient')} times`);
      assertClose(viaWide.value, plain.value, 1e-4, 'value');
      assertClose(viaWide.u, plain.u, 1e-5, 'u');
      plain.grads.forEach((g, k) => assertClose(viaWide.grads[k], g, 1e-4, `gradient ${k}`));
    });
  }
}

test('widths our kernels take: x·W and xᵀ·dz run whole, neither x nor W is sliced', { skip }, async () => {
  const [m, dim, h] = [8, 16, 8];
  const x = randomPoints(m, dim, 5);
  const W = tf.variable(randomPoints(dim, h, 6), true, 'wide-whole-W');
  const idx = tf.tensor1d([2, 11], 'int32');
  const loss = () => tf.sum(tf.square(wideMatMulGather(x, W, [idx]))) as tf.Scalar;
  const wideRun = wide(() => tf.variableGrads(loss, [W]));
  const plain = tf.variableGrads(() => tf.sum(tf.square(tf.concat([tf.matMul(x, W), tf.gather(W, idx)], 0))) as tf.Scalar, [W]);
  assertClose([wideRun.value.dataSync()[0]], [plain.value.dataSync()[0]], 1e-5, 'loss');
  assertClose(values(wideRun.grads[W.name]), values(plain.grads[W.name]), 1e-5, 'dW');
  const { result: profile, direct } = await timeDirectCalls(() => tf.profile(() => wide(() => tf.variableGrads(loss, [W]))));
  assert.equal(callsOf(direct, 'wide_weight_gradient'), 1, 'xᵀ·dz by the SIMD kernel, written into dW in place');
  const sliced = profile.kernels.filter((k) => k.name === 'Slice' && k.inputShapes.some((s) => s?.[1] === dim || s?.[0] === dim));
  assert.equal(sliced.length, 0, `slices of x or W: ${sliced.map((k) => JSON.stringify(k.inputShapes))}`);
  tf.dispose([x, W, idx, wideRun.value, plain.value, ...Object.values(wideRun.grads), ...Object.values(plain.grads)]);
});

test('Adam with off-heap moments updates wide weights with the bits of the tensor implementation', { skip }, async () => {
  const a = model();
  const b = model();
  const plain = new Adam(trainableVariables(a), undefined, { kernels: false });
  const params = trainableVariables(b);
  const ws = wideWeights(b);
  const tensors = tf.memory().numTensors;
  const offHeap = wide(() => new Adam(params));
  // Moment tensors (m and v) for the other parameters only; a wide weight gets its reserved gradient.
  assert.equal(tf.memory().numTensors - tensors, 2 * (params.length - ws.length) + ws.length, 'tensors created by the off-heap Adam');
  // Their bytes, which tf.profile does not see, are what a record's tensor peak adds: m and v, float32.
  assert.equal(offHeap.hostBytes, ws.reduce((sum, W) => sum + 2 * 4 * W.size, 0));
  assert.equal(plain.hostBytes, 0);
  const ids = ws.map((W) => W.dataId);
  const staged = HOST_STAGING.chunk;
  HOST_STAGING.chunk = 6; // the 56-entry first layer in ten chunks, the last of two entries (a scalar tail)
  try {
    for (let step = 0; step < 3; step++) {
      const g = trainableVariables(a).map((v, k) => tf.randomNormal(v.shape, 0, 1, 'float32', 100 * step + k));
      const named = (m: MLP) => Object.fromEntries(trainableVariables(m).map((v, k) => [v.name, g[k]]));
      plain.apply(named(a), 1e-2);
      const { direct } = await timeDirectCalls(async () => wide(() => offHeap.apply(named(b), 1e-2)));
      // The wide weights' moments staged through the heap a chunk at a time, the others one fused pass each.
      const chunks = ws.reduce((sum, W) => sum + Math.ceil(W.size / HOST_STAGING.chunk), 0);
      assert.equal(callsOf(direct, 'adam'), chunks + params.length - ws.length, `step ${step}: adam kernel calls`);
      ws.forEach((W, k) => assert.equal(W.dataId, ids[k], `step ${step}: wide weight ${k} updated in place`));
      tf.dispose(g);
    }
  } finally {
    HOST_STAGING.chunk = staged;
  }
  trainableVariables(a).forEach((v, k) => assert.deepEqual(values(trainableVariables(b)[k]), values(v), `parameter ${k}`));
});

test('a wide weight whose buffer is shared is assigned a copy, and the sharer keeps its values', { skip }, () => {
  const m = model();
  const W = m.layers[0].W;
  const tensors = tf.memory().numTensors;
  const adam = wide(() => new Adam([W]));
  assert.equal(tf.memory().numTensors - tensors, 1, 'no moment tensors, only the reserved gradient');
  const owned = W.dataId;
  wide(() => adam.apply({ [W.name]: tf.onesLike(W) }, 0.1));
  assert.equal(W.dataId, owned, 'a buffer of its own is updated in place');
  const alias = tf.reshape(W, W.shape); // WASM's Reshape shares the buffer
  const before = values(alias);
  wide(() => adam.apply({ [W.name]: tf.onesLike(W) }, 0.1));
  assert.notEqual(W.dataId, owned, 'a shared buffer: assigned a copy');
  assert.deepEqual(values(alias), before);
  assert.ok(values(W).every((w, i) => Math.abs(w - (before[i] - 0.1)) < 1e-5));
});
