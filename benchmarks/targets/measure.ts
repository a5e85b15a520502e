/**
 * Measurements behind the scale-and-speed targets (issue 6), each a ratio taken in ONE process on
 * one machine: training steps of different methods with the same PDE, points and seed; the kernel
 * share of a profiled loss-and-gradient step; memory of the largest runs (in child processes, since
 * a WASM out-of-memory abort ends the process).
 */
import * as tf from '@tensorflow/tfjs';
import { resolveRun, type RunRequest } from '../training/run-config.ts';
import { train, runStreams, totalLoss } from '../training/train.ts';
import { initMLP, disposeMLP, trainableVariables } from '../../model/mlp.ts';

/** Median wall ms of the timed (post-warm-up) training steps. */
export async function stepMs(req: RunRequest, backend: string): Promise<{ median: number; record: Record<string, unknown> }> {
  const rec = await train(resolveRun({ testPoints: 0, ...req }), backend);
  if (rec.status !== 'ok') throw new Error(`${req.estimator} at d=${req.dim}: ${rec.status} ${rec.message}`);
  return { median: rec.step_ms_median as number, record: rec as unknown as Record<string, unknown> };
}

export interface KernelSplit {
  wall_ms: number;
  kernel_ms: number;
  kernel_share: number;
  kernels: number;
}

/**
 * One profiled loss-and-gradient step: the share of its wall time spent inside kernels (the rest is
 * JS dispatch, tape bookkeeping and allocation) and its kernel count. Profiling times every kernel,
 * so the share is taken within the same profiled call.
 */
export async function kernelSplit(req: RunRequest): Promise<KernelSplit> {
  const cfg = resolveRun({ testPoints: 0, ...req });
  const streams = runStreams(cfg.experimentSeed, cfg.seed);
  const problem = cfg.pde.setup({ d: cfg.d, options: cfg.options, coefficients: streams.coefficients, method: cfg.method });
  const model = initMLP(cfg.model, streams.init);
  const vars = trainableVariables(model);
  const step = (s: number) =>
    tf.tidy(() => {
      const rng = streams.step(s);
      const data = problem.sample(rng, { points: cfg.points, boundaryPoints: cfg.boundaryPoints });
      const ctx = { target: { model, ansatz: problem.ansatz }, method: { name: cfg.method, estimator: cfg.estimator }, R: cfg.R, dist: cfg.dist, rng: rng.child('directions') };
      const { value } = tf.variableGrads(() => totalLoss(problem.residuals(data, ctx)), vars);
      value.dataSync();
    });
  step(0);
  step(1); // warm caches (XNNPACK operators, shader/kernel set-up)
  const t0 = performance.now();
  const prof = await tf.profile(() => step(2));
  const wall = performance.now() - t0;
  const times = await Promise.all(prof.kernels.map((k) => Promise.resolve(k.kernelTimeMs)));
  const kernelMs = (times as (number | { error: string })[]).reduce<number>((a, t) => a + (typeof t === 'number' ? t : 0), 0);
  disposeMLP(model);
  problem.dispose?.();
  return { wall_ms: wall, kernel_ms: kernelMs, kernel_share: kernelMs / wall, kernels: prof.kernels.length };
}
