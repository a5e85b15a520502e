/**
 * Micro-batches (gradient accumulation): k equal micro-batches give the loss and gradient of one
 * batch holding all their points (same index sets), the memory plan chooses them where the input
 * batch outgrows the WASM heap, and bad counts are usage errors.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { setup, assertClose, values } from './helpers.ts';
import { resolveRun } from '../benchmarks/training/run-config.ts';
import { microBatchCounts, microBatchesFor, planMemory } from '../benchmarks/training/memory-plan.ts';
import { microBatchStream, runStreams, stepLossAndGrads } from '../benchmarks/training/train.ts';
import { biasedLoss, unbiasedLoss } from '../benchmarks/training/loss.ts';
import type { Rng } from '../sampling/rng.ts';
import { initMLP, trainableVariables } from '../model/mlp.ts';
import { UsageError } from '../engine/errors.ts';

before(setup);

// The second case draws its source per step (O4), so the micro-batches must share that draw too; the
// third takes the unbiased loss's second draw K, which the micro-batches must share as well.
for (const [pde, options, loss] of [['allen-cahn-two-body', {}, 'biased'], ['poisson-houman', { source: 'estimated' }, 'biased'], ['poisson-houman', { source: 'estimated' }, 'unbiased']] as const) {
  const label = `${pde}${'source' in options ? ' (estimated source)' : ''}${loss === 'unbiased' ? ', unbiased loss' : ''}`;
  test(`3 micro-batches give the loss and gradient of one batch of all their points: ${label}`, () => {
    const cfg = resolveRun({ pde, dim: 6, estimator: 'stde-sparse', R: 3, points: 12, width: 8, microBatches: 3, options, loss });
    const streams = runStreams(0, 0);
    const problem = cfg.pde.setup({ d: cfg.d, options: cfg.options, coefficients: streams.coefficients, method: cfg.method });
    const model = initMLP(cfg.model, streams.init);
    const vars = trainableVariables(model);
    const target = { model, ansatz: problem.ansatz };
    const step = streams.step(0);
    const got = stepLossAndGrads(cfg, 3, problem, target, vars)(step);
    // The same points as one batch: each micro-batch's draw, concatenated.
    const parts = [0, 1, 2].map((b) => problem.sample(microBatchStream(step, b), { points: 4, boundaryPoints: 0 }) as Record<string, tf.Tensor | undefined>);
    const data = Object.fromEntries(Object.keys(parts[0]).map((k) => [k, parts[0][k] && tf.concat(parts.map((p) => p[k]!))]));
    const ctx = (rng: Rng) => ({ target, method: { name: cfg.method, estimator: cfg.estimator }, R: 3, dist: cfg.dist, rng });
    // The unbiased loss: its second draw from the step's own stream for it, as train takes it.
    const second = loss === 'unbiased' ? problem.residuals(data as never, ctx(step.child('directions-K'))).map((p) => p.r) : [];
    const lossOf = () => {
      const parts = problem.residuals(data as never, ctx(step.child('directions')));
      return loss === 'unbiased' ? unbiasedLoss(parts, second) : biasedLoss(parts);
    };
    const want = tf.variableGrads(lossOf, vars);
    assertClose(values(got.value), values(want.value), 1e-5, 'loss');
    for (const v of vars) assertClose(values(got.grads[v.name]), values(want.grads[v.name]), 1e-4, v.name);
  });
}

test('the memory plan splits d = 5e6 (B = 50) into 5 micro-batches of 20 points on wasm, none elsewhere', () => {
  const cfg = resolveRun({ pde: 'allen-cahn-two-body', dim: 5_000_000, block: 50, estimator: 'stde-sparse' });
  assert.equal(microBatchesFor(cfg, 'wasm'), 5);
  assert.equal(microBatchesFor(cfg, 'webgpu'), 1);
  const plan = planMemory(cfg, 'wasm');
  assert.equal(plan.inputBytes, 4 * 20 * 5_000_000);
  assert.ok(plan.lowerBoundBytes < 2 ** 31);
  assert.equal(microBatchesFor(resolveRun({ pde: 'allen-cahn-two-body', dim: 1_000_000, estimator: 'stde-sparse' }), 'wasm'), 1);
  assert.equal(microBatchesFor(resolveRun({ pde: 'allen-cahn-two-body', dim: 5_000_000, block: 50, estimator: 'stde-sparse', microBatches: 10 }), 'wasm'), 10);
});

test('the plan counts the boundary points too: 100 + 100 points at d = 1e6 (poisson-cube) are 2 micro-batches on wasm', () => {
  // 100 points alone are 381 MiB, within the 400 MiB a micro-batch may hold; with the 100 boundary points, 763 MiB.
  const cfg = resolveRun({ pde: 'poisson-cube', dim: 1_000_000, block: 50, estimator: 'stde-sparse' });
  assert.equal(cfg.points, 100);
  assert.equal(cfg.boundaryPoints, 100);
  assert.equal(microBatchesFor(cfg, 'wasm'), 2);
});

test('left to the plan on wasm, a run may try each larger count that divides both batches, up to 4× the last and 1024; a given count, or another backend, is tried alone', () => {
  const paperText = { pde: 'semilinear-heat', dim: 10, estimator: 'stde-sparse', options: { preset: 'paper-text' } }; // 2000 and 100 points
  assert.deepEqual(microBatchCounts(resolveRun(paperText), 'wasm'), [1, 2, 4, 5, 10, 20, 25, 50, 100]);
  assert.deepEqual(microBatchCounts(resolveRun(paperText), 'webgpu'), [1]);
  assert.deepEqual(microBatchCounts(resolveRun({ ...paperText, microBatches: 4 }), 'wasm'), [4]);
  // The input batch's count first (d = 5·10⁶, B = 50: 5), then the larger divisors of the 100 points.
  assert.deepEqual(microBatchCounts(resolveRun({ pde: 'allen-cahn-two-body', dim: 5_000_000, block: 50, estimator: 'stde-sparse' }), 'wasm'), [5, 10, 20, 25, 50, 100]);
  // No jump past 4×: 3·67 points try 1 and 3, not 67 micro-batches of 3 or 201 of 1.
  assert.deepEqual(microBatchCounts(resolveRun({ pde: 'allen-cahn-two-body', dim: 10, estimator: 'stde-sparse', points: 201 }), 'wasm'), [1, 3]);
  // Nor past the 1024 the plan takes by itself: 2¹¹ points of a width that needs 512 micro-batches try 512 and 1024.
  const wide = resolveRun({ pde: 'allen-cahn-two-body', dim: 400 * 2 ** 16, block: 2 ** 16, estimator: 'stde-sparse', points: 2 ** 11, testPoints: 0 });
  assert.deepEqual(microBatchCounts(wide, 'wasm'), [512, 1024]);
});

test('a micro-batch count that does not divide the points is a usage error', () => {
  assert.throws(() => resolveRun({ pde: 'allen-cahn-two-body', dim: 10, estimator: 'stde-sparse', points: 100, microBatches: 3 }), UsageError);
  assert.throws(() => resolveRun({ pde: 'allen-cahn-two-body', dim: 10, estimator: 'stde-sparse', microBatches: -1 }), UsageError);
});
