/**
 * The webgpu backend (run with STDE_TEST_BACKEND=webgpu, i.e. `npm run test:webgpu`; skipped
 * otherwise): it really is webgpu on a real adapter (Mesa's lavapipe without a GPU), kernels run on
 * the GPU, synchronous reads work in Node, and every estimator's values, u and parameter gradient
 * equal the cpu backend's to float32 tolerance — in-process and through the CLI.
 * STDE_WEBGPU_ADAPTER=<regex> additionally requires the adapter description to match (CI: llvmpipe).
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { setup, TEST_BACKEND, assertClose } from './helpers.ts';
import { engineInfo } from '../engine/backend.ts';
import { readLater, syncReadStats } from '../engine/webgpu/readback.ts';
import { OFF_HEAP_BLOCK_FLOATS, rowBlockFloats } from '../engine/row-blocks.ts';
import { Adam, ADAM_DEFAULTS } from '../benchmarks/training/adam.ts';
import { kernelSplit } from '../benchmarks/targets/measure.ts';
import { estimates, type Estimate } from './webgpu-reference.ts';
import { twoBody } from '../benchmarks/pdes/solutions/two-body.ts';
import { coefficients } from '../benchmarks/pdes/solutions/solution.ts';
import { webgpuTwoBodyPairSums } from '../engine/webgpu/two-body.ts';
import { sumSquaresRows } from '../engine/sum-squares.ts';
import { unitBall } from '../sampling/domains.ts';
import { resolveRun } from '../benchmarks/training/run-config.ts';
import { assertFitsDevice } from '../benchmarks/training/memory-plan.ts';
import { UsageError } from '../engine/errors.ts';
import { dispatchStep, runStreams, stepLossAndGrads, train } from '../benchmarks/training/train.ts';
import { forgetGpuErrorForTests } from '../engine/webgpu/errors.ts';
import { initMLP, disposeMLP, trainableVariables } from '../model/mlp.ts';
import { DATA_FIT } from '../benchmarks/pdes/methods.ts';
import { dataFitProblem } from '../benchmarks/training/data-fit.ts';
import { rngFromSeed } from '../sampling/rng.ts';
import { tempDir } from './temp-dirs.ts';

const ON = TEST_BACKEND === 'webgpu';
const skip = ON ? false : 'only with STDE_TEST_BACKEND=webgpu (npm run test:webgpu)';
const run = promisify(execFile);
const root = join(import.meta.dirname, '..');

if (ON) before(setup);

test('the backend is webgpu on a real adapter (a GPU, or lavapipe without one)', { skip }, () => {
  const info = engineInfo();
  assert.equal(tf.getBackend(), 'webgpu');
  assert.equal(info?.name, 'webgpu');
  assert.equal(info?.tfjsBackend, 'webgpu');
  const adapter = info?.adapter ?? '';
  // lavapipe reports itself as llvmpipe; anything else must be a hardware adapter, not a stand-in.
  const software = /llvmpipe|lavapipe/i.test(adapter);
  assert.ok(software || (adapter !== '' && adapter !== 'unknown adapter' && !/swiftshader|null/i.test(adapter)), `adapter: '${adapter}'`);
  const want = process.env.STDE_WEBGPU_ADAPTER;
  if (want) assert.match(adapter, new RegExp(want, 'i'));
});

test('row blocks are as large as one storage binding allows (lavapipe: 128 MB)', { skip }, () => {
  const bytes = (tf.backend() as unknown as { device: { limits: { maxStorageBufferBindingSize: number } } }).device.limits.maxStorageBufferBindingSize;
  assert.equal(rowBlockFloats(), Math.min(OFF_HEAP_BLOCK_FLOATS, Math.floor(bytes / 4)));
  if (/llvmpipe|lavapipe/i.test(engineInfo()?.adapter ?? '')) assert.equal(rowBlockFloats(), 2 ** 25);
});

test("a run larger than one storage binding is refused before it starts, against this device's own limit", { skip }, () => {
  const limit = (tf.backend() as unknown as { device: { limits: { maxStorageBufferBindingSize: number } } }).device.limits.maxStorageBufferBindingSize;
  const wide = Math.ceil(limit / (4 * 128)) + 1; // a [d, 128] first layer just over the limit
  const cfg = (dim: number) => resolveRun({ pde: 'allen-cahn-two-body', dim, points: 1, estimator: 'stde-sparse' });
  assert.throws(() => assertFitsDevice(cfg(wide), 'webgpu'), (e: Error) => e instanceof UsageError && e.message.includes(`weight [${wide}, 128]`));
  assert.doesNotThrow(() => assertFitsDevice(cfg(100), 'webgpu'));
});

test("a kernel's error under tf.profile is that error (tfjs-webgpu's timer used to swallow it)", { skip }, async () => {
  const kernelName = 'StdeTestThrows';
  tf.registerKernel({ kernelName, backendName: 'webgpu', kernelFunc: () => { throw new Error('the kernel failed'); } });
  try {
    const x = tf.ones([4]);
    await assert.rejects(tf.profile(() => tf.engine().runKernel(kernelName, { x }, {}) as tf.Tensor), /the kernel failed/);
    x.dispose();
  } finally {
    tf.unregisterKernel(kernelName, 'webgpu');
  }
});

test('kernels run on the GPU and synchronous reads return what async reads return', { skip }, async () => {
  // Small inputs created on the CPU: tfjs-webgpu would run these on its CPU path if forwarding were on.
  const a = tf.tensor2d([[1, 2], [3, 4]]);
  const b = tf.add(tf.mul(a, 2), 1);
  const m = tf.matMul(tf.randomNormal([40, 30], 0, 1, 'float32', 5), tf.randomNormal([30, 20], 0, 1, 'float32', 6));
  const backend = tf.backend() as unknown as { tensorMap: { get(id: object): { resource?: unknown; values?: unknown } } };
  for (const t of [b, m]) {
    const data = backend.tensorMap.get(t.dataId);
    assert.ok(data.resource != null && data.values == null, 'the result lives in a GPU buffer');
  }
  const reads = syncReadStats.reads;
  assert.deepEqual(Array.from(b.dataSync()), [3, 5, 7, 9]);
  const syncM = Array.from(m.dataSync());
  assert.equal(syncReadStats.reads, reads + 2, 'dataSync went through the Node read-back');
  const m2 = tf.matMul(tf.randomNormal([40, 30], 0, 1, 'float32', 5), tf.randomNormal([30, 20], 0, 1, 'float32', 6));
  assert.deepEqual(Array.from(await m2.data()), syncM);
  assert.deepEqual(tf.tensor1d([1, 2, 3], 'int32').add(tf.scalar(1, 'int32')).arraySync(), [2, 3, 4]);
  assert.deepEqual(Array.from(tf.greater(tf.tensor1d([1, -1]), 0).dataSync()), [1, 0]);
});

test('readLater copies the values back behind the work queued before it, not behind later work', { skip }, () => {
  type Backend = { tensorMap: { get(id: object): { resource?: unknown } } };
  const backend = tf.backend() as unknown as Backend;
  const draw = () => tf.mul(tf.randomNormal([1000], 0, 1, 'float32', 7), 3);
  const expected = Array.from(draw().dataSync());
  const x = draw();
  const buffer = backend.tensorMap.get(x.dataId).resource;
  const reads = syncReadStats.reads;
  const read = readLater(x);
  x.dispose(); // its buffer goes back to the pool: the copy was already submitted
  const later = Array.from({ length: 4 }, () => tf.fill([1000], 42));
  assert.ok(later.some((t) => backend.tensorMap.get(t.dataId).resource === buffer), "later kernels write into x's old buffer");
  later.forEach((t) => t.dataSync());
  assert.deepEqual(Array.from(read()), expected);
  assert.deepEqual(Array.from(read()), expected, 'a second call returns the same values');
  assert.equal(syncReadStats.reads, reads + 4 + 1, 'one read-back');
  tf.dispose(later);
});

test('values from the CPU reach the GPU through queue.writeBuffer: unchanged, and no mapped buffer per upload', { skip }, () => {
  // tfjs's own upload maps a new buffer (an empty pool) or a new MAP_WRITE staging buffer (a reused one).
  const backend = tf.backend() as unknown as { device: { createBuffer(d: { usage: number; mappedAtCreation?: boolean }): unknown } };
  const device = backend.device;
  const create = device.createBuffer;
  const mapped: number[] = [];
  device.createBuffer = function (this: unknown, d: { usage: number; mappedAtCreation?: boolean }) {
    if (d.mappedAtCreation) mapped.push(d.usage);
    return create.call(this, d);
  };
  try {
    const f = Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i) * 1e3);
    assert.deepEqual(Array.from(tf.neg(tf.neg(tf.tensor1d(f))).dataSync()), Array.from(f));
    // int32 by data movement; below 2^24: tfjs-webgpu's shaders read ints through f32.
    assert.deepEqual(Array.from(tf.reverse(tf.tensor1d([7, -3, 2 ** 24 - 1], 'int32')).dataSync()), [2 ** 24 - 1, -3, 7]);
    assert.deepEqual(Array.from(tf.logicalNot(tf.tensor1d([true, false, true], 'bool')).dataSync()), [0, 1, 0]);
    for (let i = 0; i < 20; i++) tf.mul(tf.scalar(i), 2).dataSync(); // number operands are uploads too
  } finally {
    device.createBuffer = create;
  }
  assert.deepEqual(mapped, [], 'buffers were mapped at creation for uploads (usages listed)');
});

test('a profiled step counts its GPU dispatches: fewer than its kernels (reshapes and casts dispatch none)', { skip }, async () => {
  const s = await kernelSplit({ pde: 'allen-cahn-two-body', dim: 20, estimator: 'stde-sparse', R: 4, width: 16, points: 8 });
  assert.ok(s.dispatches !== null && s.dispatches > 20 && s.dispatches < s.kernels, `${s.dispatches} dispatches, ${s.kernels} kernels`);
  const reshapes = s.by_kernel.filter((k) => k.kernel === 'Reshape' || k.kernel === 'Identity').reduce((a, k) => a + k.count, 0);
  assert.ok(reshapes > 0 && s.dispatches <= s.kernels - reshapes, `${s.dispatches} dispatches, ${s.kernels} kernels, ${reshapes} no-ops`);
});

test('our WGSL programs are registered kernels: a whole-step profile lists the normals, the source and Adam', { skip }, async () => {
  const s = await kernelSplit({ pde: 'allen-cahn-two-body', dim: 20, estimator: 'stde-sparse', R: 4, width: 16, points: 8 }, 'step');
  const names = s.by_kernel.map((k) => k.kernel);
  for (const k of ['stdeThreefryNormal', 'stdeTwoBodyPairSums_3', 'stdeAdam_m', 'stdeAdam_v', 'stdeAdam_p', 'StdeTanhJet2']) assert.ok(names.includes(k), `${k} in ${names.join(', ')}`);
  assert.ok(s.by_kernel.every((k) => k.ms !== null), 'every kernel timed');
});

/** The shader keys of the programs `f` dispatches (tf.profile sees registered kernels only). */
function dispatches(f: () => void): string[] {
  const backend = tf.backend() as unknown as { recordAndSubmit(program: { shaderKey: string }, ...rest: unknown[]): unknown };
  const record = backend.recordAndSubmit;
  const keys: string[] = [];
  backend.recordAndSubmit = function (this: unknown, program: { shaderKey: string }, ...rest: unknown[]) {
    keys.push(program.shaderKey);
    return record.call(this, program, ...rest);
  };
  try {
    f();
  } finally {
    delete (backend as { recordAndSubmit?: unknown }).recordAndSubmit; // back to the prototype's
  }
  return keys;
}

test('Adam on webgpu: three kernels per parameter, the same update as the formula in float64', { skip }, () => {
  const n = 300;
  const rand = (seed: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(seed * 1000 + i * 12.9898) * 2);
  const p = tf.variable(tf.tensor1d(rand(1)), true, 'adam-test-p');
  const adam = new Adam([p]);
  const { beta1, beta2, epsilon } = ADAM_DEFAULTS;
  const want = Array.from(rand(1), Number);
  const m = new Array<number>(n).fill(0);
  const v = new Array<number>(n).fill(0);
  for (let t = 1; t <= 3; t++) {
    const g = rand(10 + t);
    const lr = 0.01 * t;
    const grad = tf.tensor1d(g);
    const kernels = dispatches(() => adam.apply({ [p.name]: grad }, lr)).map((k) => k.split('_').slice(0, 2).join('_')); // the backend appends the shapes
    assert.deepEqual(kernels, ['stdeAdam_m', 'stdeAdam_v', 'stdeAdam_p'], `step ${t}`);
    grad.dispose();
    const stepSize = lr / (1 - beta1 ** t);
    const vCorrection = 1 / Math.sqrt(1 - beta2 ** t);
    for (let i = 0; i < n; i++) {
      m[i] = beta1 * m[i] + (1 - beta1) * g[i];
      v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
      want[i] -= (stepSize * m[i]) / (Math.sqrt(v[i]) * vCorrection + epsilon);
    }
  }
  assertClose(p.dataSync(), want, 1e-6, 'θ after 3 steps');
  adam.dispose();
  p.dispose();
});

test('dispatching a training step reads nothing back, so the next can be dispatched before its loss is read', { skip }, () => {
  for (const estimator of ['stde-sparse', 'stde-dense', 'none']) {
    const cfg = resolveRun({ pde: 'allen-cahn-two-body', dim: 40, estimator, R: 4, width: 16, points: 8, testPoints: 0 });
    const streams = runStreams(0, 0);
    const problem = cfg.pde.setup({ d: cfg.d, options: cfg.options, coefficients: streams.coefficients, method: cfg.method });
    const model = initMLP(cfg.model, streams.init);
    const vars = trainableVariables(model);
    const adam = new Adam(vars);
    const lossProblem = estimator === DATA_FIT ? dataFitProblem(cfg.pde, problem) : problem;
    const lossAndGrads = stepLossAndGrads(cfg, 1, lossProblem, { model, ansatz: problem.ansatz }, vars);
    const dispatch = (s: number) => dispatchStep(lossAndGrads, adam, streams.step(s), 1e-3);
    const reads = syncReadStats.reads;
    const [a, b] = [dispatch(0), dispatch(1)];
    assert.equal(syncReadStats.reads, reads, `${estimator}: two steps dispatched, nothing read`);
    assert.ok(Number.isFinite(a.dataSync()[0]) && Number.isFinite(b.dataSync()[0]));
    assert.equal(syncReadStats.reads, reads + 2, 'one read per loss');
    tf.dispose([a, b]);
    adam.dispose();
    disposeMLP(model);
    problem.dispose?.();
  }
});

test('Σx² per row on webgpu: one WGSL program and a Sum give the Square + Sum values; under a tape the tf ops run', { skip }, () => {
  tf.tidy(() => {
    for (const [rows, cols] of [[3, 5], [4, 1024], [2, 9000]]) {
      const x = tf.randomNormal([rows, cols], 0, 1, 'float32', cols) as tf.Tensor2D;
      const want = tf.sum(tf.square(x), 1, true).dataSync();
      let got!: tf.Tensor;
      const keys = dispatches(() => (got = sumSquaresRows(x, true)));
      assert.deepEqual(got.shape, [rows, 1]);
      assert.deepEqual(keys.map((k) => k.split('_')[0]).filter((k) => k === 'stdeSumSquares').length, 1, keys.join(' '));
      assert.ok(!keys.some((k) => /square/i.test(k) && !k.startsWith('stdeSumSquares')), `no Square: ${keys.join(' ')}`);
      assertClose(got.dataSync(), want, 1e-5, `[${rows}, ${cols}]`);
      assert.deepEqual(sumSquaresRows(x).shape, [rows]);
    }
    // Under a tape the kernel (which has no gradient) stays out: d/dx Σx² = 2x.
    const x = tf.randomNormal([2, 300], 0, 1, 'float32', 9) as tf.Tensor2D;
    const g = tf.grad((y: tf.Tensor) => tf.sum(sumSquaresRows(y as tf.Tensor2D)))(x);
    assertClose(g.dataSync(), tf.mul(x, 2).dataSync(), 1e-6, 'gradient');
  });
});

test('two-body source on webgpu: one WGSL program gives the tf-op values; under a tape the tf ops run', { skip }, () => {
  // d − 1 = 8999 pairs: each of a row's 4096 invocations takes two or three of them.
  const d = 9000;
  tf.tidy(() => {
    const c = coefficients(rngFromSeed(d), d, d - 1);
    const x = tf.mul(unitBall(d, 'radius-uniform').interior(3, rngFromSeed(4)), 1.5) as tf.Tensor2D; // some outside the ball too
    const [gpu, ops] = [twoBody(c, d), twoBody(c, d, { kernels: false })];
    let r!: { u: tf.Tensor1D; laplacian: tf.Tensor1D };
    const keys = dispatches(() => (r = gpu.evaluate(x))).map((k) => k.split('_').slice(0, 2).join('_'));
    assert.equal(keys.filter((k) => k === 'stdeTwoBodyPairSums_3').length, 1, 'one pair-sums program for u* and Δu*');
    assert.ok(keys.length <= 16, `${keys.length} dispatches (the tf ops take ~55)`);
    const want = ops.evaluate(x);
    assertClose(r.laplacian.dataSync(), want.laplacian.dataSync(), 1e-4, 'Δu*');
    assertClose(r.u.dataSync(), want.u.dataSync(), 1e-4, 'u*');
    assertClose(gpu.u(x).primal.dataSync(), want.u.dataSync(), 1e-4, 'u* alone');
    // A window of pairs [lo, lo + m) reads the columns lo … lo + m: two windows add up to the whole.
    const whole = webgpuTwoBodyPairSums(x, c, 0, d - 1, true);
    const parts = [webgpuTwoBodyPairSums(x, c, 0, 5000, true), webgpuTwoBodyPairSums(x, c, 5000, d - 1 - 5000, true)];
    whole.forEach((w, k) => assertClose(tf.add(parts[0][k], parts[1][k]).dataSync(), w.dataSync(), 1e-4, `sum ${k} by windows`));
    assert.throws(() => webgpuTwoBodyPairSums(x, c, 1, d - 1, false), /do not fit/);
  });
  // The program has no gradient: under a tape (the gPINN variants' ∇f) the tf ops run.
  tf.tidy(() => {
    const small = 6;
    const s = twoBody(coefficients(rngFromSeed(small), small, small - 1), small);
    const x = unitBall(small, 'radius-uniform').interior(2, rngFromSeed(5));
    let g!: tf.Tensor;
    const keys = dispatches(() => (g = tf.grad((y: tf.Tensor) => tf.sum(s.evaluate(y as tf.Tensor2D).laplacian))(x)));
    assert.ok(!keys.some((k) => k.startsWith('stdeTwoBody')), 'no pair-sums program under a tape');
    assert.ok(g.dataSync().every(Number.isFinite) && g.dataSync().some((v) => v !== 0), 'a gradient through the tf ops');
  });
});

const cpuReference = async (): Promise<Record<string, Estimate>> => {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', join(root, 'test', 'webgpu-reference.ts'), 'cpu'], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  return JSON.parse(stdout) as Record<string, Estimate>;
};

test('every estimator: values, u and parameter gradient on webgpu equal the cpu backend', { skip }, async () => {
  const [gpu, cpu] = await Promise.all([estimates(), cpuReference()]);
  assert.deepEqual(Object.keys(gpu), Object.keys(cpu));
  assert.ok(Object.keys(gpu).length >= 8);
  for (const k of Object.keys(cpu)) {
    assertClose(gpu[k].value, cpu[k].value, 1e-4, `${k} value`);
    assertClose(gpu[k].u, cpu[k].u, 1e-4, `${k} u`);
    assertClose(gpu[k].grad, cpu[k].grad, 3e-4, `${k} parameter gradient`);
  }
});

test('the CLI with --backend webgpu prints what --backend cpu prints', { skip }, async () => {
  const dir = tempDir('stde-webgpu-');
  const wave = (i: number, j: number, s: number) => Math.round(1000 * 0.6 * Math.sin(1.7 * i + 2.3 * j + s)) / 1000;
  const layer = (fanIn: number, fanOut: number, s: number) => ({
    weight: [...Array(fanIn).keys()].map((i) => [...Array(fanOut).keys()].map((j) => wave(i, j, s))),
    bias: [...Array(fanOut).keys()].map((j) => wave(j, 0, s + 1) / 4),
  });
  const model = join(dir, 'model.json');
  const points = join(dir, 'points.json');
  writeFileSync(model, JSON.stringify({ activation: 'tanh', layers: [layer(4, 8, 0), layer(8, 8, 1), layer(8, 1, 2)] }));
  writeFileSync(points, JSON.stringify([[0.1, -0.2, 0.3, 0.05], [-0.4, 0.25, 0.1, -0.3]]));
  const op = async (backend: string) => {
    const args = ['operator', '--estimator', 'stde-sparse', '--R', '2', '--seed', '5', '--grad', '--model', model, '--points', points, '--backend', backend];
    const { stdout } = await run(process.execPath, [join(root, 'bin', 'stde-bench.mjs'), ...args], { encoding: 'utf8' });
    return JSON.parse(stdout) as { values: number[]; u: number[]; paramGrad: { layers: { weight: number[][]; bias: number[] }[] } };
  };
  const [g, c] = await Promise.all([op('webgpu'), op('cpu')]);
  const flat = (o: typeof g) => o.paramGrad.layers.flatMap((l) => [...l.weight.flat(), ...l.bias]);
  assertClose(g.values, c.values, 1e-4, 'values');
  assertClose(g.u, c.u, 1e-4, 'u');
  assertClose(flat(g), flat(c), 3e-4, 'paramGrad');
});

test('a GPU out-of-memory error at a later step ends a training run as oom, with the steps read before it timed', { skip }, async (t) => {
  t.after(forgetGpuErrorForTests); // the device itself is sound: the error is raised on purpose
  // Dawn reports a failed allocation asynchronously, as an uncapturederror event on the device: raise one after step 12.
  const G = globalThis as unknown as Record<string, new (...a: unknown[]) => object>;
  const raise = () =>
    (tf.backend() as unknown as { device: { dispatchEvent(e: object): boolean } }).device.dispatchEvent(
      new G.GPUUncapturedErrorEvent('uncapturederror', { error: new G.GPUOutOfMemoryError('simulated allocation failure') }),
    );
  const cfg = resolveRun({ pde: 'allen-cahn-two-body', dim: 8, estimator: 'stde-sparse', R: 4, steps: 20, width: 16, testPoints: 16, evalEvery: 100 });
  const r = await train(cfg, 'webgpu', { onStep: (done) => void (done === 12 && raise()) });
  assert.equal(r.status, 'oom', r.message);
  assert.match(r.message, /^out of memory: webgpu: the GPU could not allocate \(simulated allocation failure\).*after 12 of 20 steps$/);
  assert.equal(r.steps_done, 12);
  assert.equal(r.warmup_steps + r.timed_steps, 12);
  assert.ok(r.timed_steps > 0 && r.it_per_s! > 0);
});
