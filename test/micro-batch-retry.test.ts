/**
 * With micro-batches left to the plan on wasm, a first step that runs out of heap is tried again in
 * more micro-batches on a restarted engine, and the run is then the one given that count. The heap is
 * limited so that this small network runs out in one batch (heap high-water ~69 MB) and fits in two
 * (~48 MB). Its own file: the engine restarts, which invalidates every tensor made before.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { setup, TEST_BACKEND } from './helpers.ts';
import { limitWasmHeapForTests, wasmHeapBytes } from '../engine/wasm-heap.ts';
import { restartWasmEngine } from '../engine/backend.ts';
import { outOfMemoryBehind } from '../engine/out-of-memory.ts';
import { resolveRun } from '../benchmarks/training/run-config.ts';
import { train } from '../benchmarks/training/train.ts';
import { restartPeakRss } from '../benchmarks/training/fit-micro-batches.ts';
import { kernelSplit } from '../benchmarks/targets/measure.ts';

before(setup);

const request = { pde: 'allen-cahn-two-body', dim: 8, estimator: 'stde-sparse', R: 4, points: 256, width: 512 };
const cfg = (microBatches: number) => resolveRun({ ...request, steps: 2, testPoints: 16, microBatches });
/** Allocations end below the limit less 128 MiB of growth slack: ~58 MiB of heap here. */
const LIMIT = (128 + 58) * 2 ** 20;

test('a first step out of heap is retried in more micro-batches and gives the run of that count', { skip: TEST_BACKEND !== 'wasm' }, async () => {
  limitWasmHeapForTests(LIMIT);
  // One batch does not fit, given: the out-of-memory error, no retry.
  const tried: number[] = [];
  const failed = await train(cfg(1), 'wasm', { onMicroBatches: (k) => tried.push(k) }).then(
    () => null,
    (e: unknown) => e,
  );
  assert.match(outOfMemoryBehind(failed) ?? '', /^out of memory: WASM allocation of .* allocations may reach \(a heap of 0\.18 GiB, limited for a test, less 128 MiB for the heap.s growth\)/);
  assert.deepEqual(tried, [1]);
  await restartWasmEngine();

  // Left to the plan: 1 runs out, the engine restarts, 2 fits. A 600 MB buffer, touched and let go
  // first, stands for the heap that ran out: the run's RSS peak is after it, not the process's.
  let buffer: Buffer | null = Buffer.alloc(600e6, 1);
  assert.ok(process.resourceUsage().maxRSS / 1024 > 600 && buffer.length > 0);
  buffer = null;
  tried.length = 0;
  const auto = await train(cfg(0), 'wasm', { onMicroBatches: (k) => tried.push(k) });
  if (restartPeakRss()) assert.ok(auto.rss_peak_mb < 500, `rss_peak_mb ${auto.rss_peak_mb}`);
  else assert.match(auto.message, /\(the RSS peak includes the tries that ran out\)$/); // no clear_refs here (not Linux, a sandbox)
  assert.deepEqual(tried, [1, 2]);
  assert.equal(auto.status, 'ok');
  assert.equal(auto.micro_batches, 2);
  assert.match(auto.message, /^the first step ran out of WASM heap in 1 micro-batch; 2 fit( \(the RSS peak includes the tries that ran out\))?$/);
  assert.ok(wasmHeapBytes()! < LIMIT, `heap ${wasmHeapBytes()} B`);
  assert.equal(tf.memory().numTensors, 0, 'the failed attempt left no tensor behind');

  // The same run as one given 2 micro-batches: same initialisation, points and updates.
  const given = await train(cfg(2), 'wasm');
  for (const k of ['loss_final', 'rel_l2_initial', 'rel_l2_final', 'evals', 'micro_batches', 'params'] as const) assert.deepEqual(auto[k], given[k], k);
  assert.equal(given.message, '');
});

test('profile, its count left to the plan, profiles the micro-batches train would run', { skip: TEST_BACKEND !== 'wasm' }, async () => {
  limitWasmHeapForTests(LIMIT);
  await restartWasmEngine(); // whatever the test before left on the heap
  const split = await kernelSplit(request, 'step');
  assert.equal(split.micro_batches, 2);
  assert.ok(split.kernels > 0);
  await assert.rejects(kernelSplit({ ...request, microBatches: 1 }, 'step'), /out of memory/);
});

test('a later step out of heap ends the run as oom, with the steps done before it timed and the first step\'s fit kept', { skip: TEST_BACKEND !== 'wasm' }, async () => {
  limitWasmHeapForTests(LIMIT);
  await restartWasmEngine();
  // The heap fills up during training: after step 3 something else holds most of what is left.
  let hog: tf.Tensor | undefined;
  const rec = await train(resolveRun({ ...request, steps: 12, testPoints: 16, microBatches: 2, evalEvery: 100 }), 'wasm', {
    onStep: (k) => void (k === 3 && (hog = tf.zeros([(20 * 2 ** 20) / 4]))),
  });
  assert.equal(rec.status, 'oom');
  assert.match(rec.message, /^out of memory: WASM allocation of .*, limited for a test, .*: at step \d+, after \d+ of 12 steps$/);
  assert.ok(rec.steps_done >= 3 && rec.steps_done < 12, `steps done: ${rec.steps_done}`);
  assert.equal(rec.micro_batches, 2);
  assert.equal(rec.rel_l2_final, null);
  assert.ok(rec.it_per_s! > 0, 'the steps before it are timed');
  assert.equal(rec.timed_steps, rec.steps_done - rec.warmup_steps, 'one timing per counted step (a step whose loss was not read is neither)');
  assert.match(rec.message, new RegExp(`at step ${rec.steps_done + 1}|at step ${rec.steps_done + 2}`));
  assert.ok(hog, 'the hog itself fitted: a step ran out');
  // Out of memory inside the warm-up (10 of 100 steps): timed over every step done but the first, as a time limit's.
  await restartWasmEngine();
  hog = undefined;
  const early = await train(resolveRun({ ...request, steps: 100, testPoints: 16, microBatches: 2, evalEvery: 1000 }), 'wasm', {
    onStep: (k) => void (k === 3 && (hog = tf.zeros([(20 * 2 ** 20) / 4]))),
  });
  assert.equal(early.status, 'oom');
  assert.ok(early.steps_done >= 3 && early.steps_done < 10, `steps done: ${early.steps_done}`);
  assert.deepEqual([early.timed_steps, early.warmup_steps], [early.steps_done - 1, 1]);
  assert.ok(early.it_per_s! > 0);
  await restartWasmEngine(); // the engine's state after a refused allocation is not to be trusted
});
