/**
 * The memory plan: a lower bound that refuses impossible runs up front (d = 2·10⁶ with a full first
 * layer on wasm: its weights and gradient alone fill the heap), that counts a wide first layer's
 * Adam moments off the heap, and that tf.profile's measured peak of a real step respects.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { setup, TEST_BACKEND } from './helpers.ts';
import { resolveRun } from '../benchmarks/training/run-config.ts';
import { assertFits, assertFitsDevice, microBatchesFor, planMemory } from '../benchmarks/training/memory-plan.ts';
import { UsageError } from '../engine/errors.ts';
import { MAX_DEPTH, parameterCount } from '../model/mlp.ts';
import { train } from '../benchmarks/training/train.ts';
import { WIDE } from '../engine/wide-layer.ts';
import { timeDirectCalls } from '../engine/simd/simd.ts';
import { HOST_STAGING } from '../engine/simd/adam.ts';

before(setup);

const bin = join(import.meta.dirname, '..', 'bin', 'stde-bench.mjs');

test('d = 2e6 with the full first layer is refused on wasm before anything runs (exit 2), with any micro-batches: the network is what to shrink', () => {
  // Its weights and gradient alone (1.91 GiB) pass the 1.88 GiB the heap guard lets allocations reach;
  // before, the plan took 2 GiB as its limit, advised micro-batches, and the run died 13 s in.
  for (const extra of [[], ['--micro-batches', '100']]) {
    const r = spawnSync(process.execPath, [bin, 'train', '--pde', 'allen-cahn-two-body', '--dim', '2000000', '--estimator', 'stde-sparse', '--json', ...extra], { encoding: 'utf8' });
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /impossible memory: d = 2000000 needs at least [12]\.\d\d GiB on the WASM heap \(1\.9\d GiB for the state of 256033281 parameters, Adam moments of the first layer off the heap/);
    assert.match(r.stderr, /past the 1\.88 GiB allocations may reach .*; use weight sharing \(--block\), a smaller --width or --depth or --backend webgpu$/m);
  }
});

test('d = 1e6 with the full first layer is plannable on wasm: its Adam moments live off the heap', () => {
  const cfg = resolveRun({ pde: 'allen-cahn-two-body', dim: 1_000_000, estimator: 'stde-sparse' });
  const wasm = planMemory(cfg, 'wasm');
  assert.equal(wasm.parameters, 128_033_281);
  assert.equal(wasm.hostStateBytes, 8 * 128_000_000); // m and v of the [1e6, 128] weight
  assert.equal(wasm.parameterStateBytes, 8 * 128_000_000 + 16 * 33_281);
  assert.ok(wasm.lowerBoundBytes < 2 ** 31);
  const gpu = planMemory(cfg, 'webgpu'); // no wide path there: every parameter's state on the device
  assert.equal(gpu.hostStateBytes, 0);
  assert.equal(gpu.parameterStateBytes, 16 * 128_033_281);
});

test('weight sharing makes d = 1e6 plannable: the bound is then the input batch', () => {
  const plan = planMemory(resolveRun({ pde: 'allen-cahn-two-body', dim: 1_000_000, block: 50, estimator: 'stde-sparse' }));
  assert.equal(plan.parameters, 2_593_332); // pdes.md §7's count for d = 1e6, B = 50
  assert.equal(plan.inputBytes, 4 * 100 * 1_000_000);
  assert.ok(plan.lowerBoundBytes < 2 ** 31);
});

test('a device that binds at most 128 MiB per buffer refuses larger points and first-layer weights, naming the fix', () => {
  const lavapipe = 2 ** 27;
  const at = (req: Partial<Parameters<typeof resolveRun>[0]>) => resolveRun({ pde: 'allen-cahn-two-body', dim: 1_000_000, estimator: 'stde-sparse', ...req });
  const refusal = (cfg: ReturnType<typeof resolveRun>) => {
    try {
      assertFitsDevice(cfg, 'webgpu', { bindingBytes: lavapipe });
    } catch (e) {
      assert.ok(e instanceof UsageError);
      return e.message;
    }
    return undefined;
  };
  assert.equal(
    refusal(at({})),
    "impossible memory: one buffer on this webgpu device binds at most 128 MiB, and this run needs larger ones: the points [100, 1000000] (381 MiB), the first layer's weight [1000000, 128] (488 MiB); use --micro-batches 4 and weight sharing, --block 4 or more",
  );
  assert.match(refusal(at({ block: 50, microBatches: 2 }))!, /: a micro-batch of points \[50, 1000000\] \(191 MiB\); use --micro-batches 4$/);
  assert.equal(refusal(at({ block: 50, microBatches: 4 })), undefined); // [25, 10⁶]: 95 MiB
  // No micro-batch split divides both batches (gcd 1): fewer points, naming the batches that are too large.
  const heat = (points: number, boundaryPoints: number) => at({ pde: 'semilinear-heat', dim: 10_000, points, boundaryPoints });
  assert.match(refusal(heat(10, 4001))!, /: the points \[4001, 10001\] \(153 MiB\); use --boundary-points 3355 or fewer$/);
  assert.match(refusal(heat(4000, 4001))!, /use --points 3355 and --boundary-points 3355 or fewer$/);
  assert.match(refusal(heat(10, 4000))!, /use --micro-batches 2$/);
  assert.match(refusal(at({ dim: 300_000, points: 10 }))!, /weight \[300000, 128\] \(146 MiB\); use weight sharing, --block 2 or more$/);
  assert.match(refusal(at({ dim: 40_000_000, block: 1000, points: 1 }))!, /use fewer dimensions \(one point alone is larger\)$/);
  assert.equal(refusal(at({ dim: 100_000 })), undefined);
  assert.doesNotThrow(() => assertFitsDevice(at({}), 'wasm', { bindingBytes: undefined })); // no binding limit there
});

test("beyond the WASM heap, the machine's own memory bounds what lives there; each refusal names what to shrink", () => {
  const gib24 = 24 * 2 ** 30;
  const refusal = (req: Partial<Parameters<typeof resolveRun>[0]>, backend: string) => {
    try {
      assertFits(resolveRun({ pde: 'poisson-two-body', dim: 10, estimator: 'stde-sparse', ...req }), backend, gib24);
    } catch (e) {
      assert.ok(e instanceof UsageError);
      return e.message;
    }
    return undefined;
  };
  // cpu tensors are JS memory: 10⁹ points of d = 10 are 37 GiB.
  assert.match(refusal({ points: 1e9 }, 'cpu')!, /^impossible memory: this run needs at least 37\.25 GiB of this machine's memory \(37\.25 GiB of parameter state and points \(cpu tensors live there\)\) but it has 24\.00 GiB; use more --micro-batches or fewer --points$/);
  assert.equal(refusal({ points: 1e9, microBatches: 2 }, 'cpu'), undefined);
  // Evaluation keeps the exact value of every test point.
  assert.match(refusal({ testPoints: 2 ** 53 - 1 }, 'wasm')!, /for the exact values of 9007199254740991 test points\) but it has 24\.00 GiB; use fewer --test-points$/);
  assert.equal(refusal({ testPoints: 1e8 }, 'wasm'), undefined); // 0.37 GiB
  // The parameters' state alone too large: the network is what to shrink, not the points.
  assert.match(refusal({ width: 1e5 }, 'wasm')!, /on the WASM heap .* use a smaller --width or --depth or --backend webgpu$/);
  assert.match(refusal({ points: 1e8, microBatches: 1 }, 'wasm')!, /use more --micro-batches or fewer --points or --backend webgpu$/);
  // Points that would need more micro-batches than the plan takes by itself: a step of hours, refused.
  assert.match(refusal({ points: 1e15, testPoints: 0 }, 'wasm')!, /^1000000000000000 points at d = 10 are .* GiB of input per step: \d+ micro-batches of at most 0\.39 GiB on the WASM heap, more than the 1024 the plan takes by itself; use fewer --points, or --micro-batches \d+ to run it anyway$/);
  assert.equal(refusal({ points: 1e10, testPoints: 0 }, 'wasm'), undefined); // 10¹⁰ points of d = 10: 1000 micro-batches
  assert.equal(refusal({ points: 1e15, testPoints: 0, microBatches: 1e9 }, 'wasm'), undefined); // asked for
  // Depth: each layer costs JS memory whatever its width, so past MAX_DEPTH it is refused (--depth 10⁹ died in V8
  // building its layer list); below it the parameter count is what the plan weighs.
  assert.match(refusal({ depth: MAX_DEPTH + 1, width: 1 }, 'wasm')!, /^depth must be ≤ 10000, got 10001: /);
  assert.match(refusal({ depth: MAX_DEPTH, width: 1000 }, 'wasm')!, /needs at least 149\.\d\d GiB on the WASM heap \(149\.\d\d GiB for the state of 10\d{9} parameters/);
  assert.equal(refusal({ depth: MAX_DEPTH, width: 1 }, 'wasm'), undefined);
});

test('the parameter count is every layer\'s weights and biases: [d, width × (depth − 1), 1], and the shared map', () => {
  const c = { dim: 4, width: 5, block: 1, extraInputs: 0 };
  assert.equal(parameterCount({ ...c, depth: 1 }), 4 + 1);
  assert.equal(parameterCount({ ...c, depth: 2 }), 4 * 5 + 5 + (5 + 1));
  assert.equal(parameterCount({ ...c, depth: 4 }), 4 * 5 + 5 + 2 * (5 * 5 + 5) + (5 + 1));
  assert.equal(parameterCount({ ...c, dim: 8, block: 2, extraInputs: 1, depth: 3 }), 2 + 1 + (5 * 5 + 5) + (5 * 5 + 5) + (5 + 1));
});

test('the micro-batch plan finds the fewest split of 2⁵³ − 1 points at once (divisors up to the square root)', () => {
  const cfg = resolveRun({ pde: 'poisson-two-body', dim: 10, estimator: 'stde-sparse', points: 2 ** 53 - 1 });
  // 2⁵³ − 1 = 6361 · 69431 · 20394401. A micro-batch of 400 MiB holds ~10⁷ points of d = 10, so k ≥ ~8.6·10⁸;
  // the divisors from there up are 6361 · 20394401, 69431 · 20394401, …
  const k = microBatchesFor(cfg, 'wasm');
  assert.equal((2 ** 53 - 1) % k, 0);
  assert.ok((4 * 10 * (2 ** 53 - 1)) / k <= 400 * 2 ** 20, `k = ${k}`);
  assert.equal(k, 129_728_784_761); // 6361 · 20394401, the smallest divisor that fits
});

test('at reduced width, tf.profile peak of a real step lies above the plan and within 10× of it', { skip: TEST_BACKEND !== 'wasm' }, async () => {
  const cfg = resolveRun({ pde: 'allen-cahn-two-body', dim: 100_000, width: 8, estimator: 'stde-sparse', steps: 1, testPoints: 0 });
  const plan = planMemory(cfg);
  const record = await train(cfg, 'wasm');
  const peak = (record.peak_tensor_mb as number) * 2 ** 20;
  assert.ok(peak >= plan.lowerBoundBytes, `measured ${peak} B below the lower bound ${plan.lowerBoundBytes} B`);
  assert.ok(peak <= 10 * plan.lowerBoundBytes, `measured ${peak} B, plan ${plan.lowerBoundBytes} B: the plan misses most of the step`);
});

test('d = 1e6 through the wide first layer (reduced width): one real step stays within the plan and the 2 GiB heap', { skip: TEST_BACKEND !== 'wasm' }, async () => {
  const saved = { ...WIDE };
  Object.assign(WIDE, { elements: 2 ** 22 }); // [1e6, 8] = 8 M weights take the wide path, as [1e6, 128] does
  try {
    const cfg = resolveRun({ pde: 'allen-cahn-two-body', dim: 1_000_000, width: 8, points: 10, estimator: 'stde-sparse', steps: 1, testPoints: 0 });
    const plan = planMemory(cfg, 'wasm');
    assert.equal(plan.hostStateBytes, 8 * 8_000_000); // Adam's moments of the first layer, off the heap
    const { result: record, direct } = await timeDirectCalls(() => train(cfg, 'wasm'));
    assert.equal(record.status, 'ok');
    // The wide path ran: dW = xᵀ·dz written in place by the SIMD kernel, and Adam's moments of the
    // first layer staged through the heap a chunk at a time (not one fused pass over heap moments).
    const calls = (name: string) => direct.get(name)?.count ?? 0;
    assert.ok(calls('wide_weight_gradient') >= 1, 'the wide weight gradient never ran');
    assert.ok(calls('adam') >= Math.ceil(8_000_000 / HOST_STAGING.chunk), `${calls('adam')} adam kernel calls: the first layer's moments were not staged`);
    const peak = (record.peak_tensor_mb as number) * 2 ** 20;
    assert.ok(peak >= plan.lowerBoundBytes, `measured ${peak} B below the lower bound ${plan.lowerBoundBytes} B`);
    assert.ok(peak <= 10 * plan.lowerBoundBytes, `measured ${peak} B, plan ${plan.lowerBoundBytes} B`);
    assert.ok((record.wasm_heap_mb as number) <= 2048, `WASM heap ${record.wasm_heap_mb} MB`);
  } finally {
    Object.assign(WIDE, saved);
  }
});
