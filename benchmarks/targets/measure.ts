/**
 * The kernel share of a profiled loss-and-gradient step (issue 6, target 3). The other targets are
 * training runs, which `stde-bench targets` starts as child processes.
 */
import * as tf from '@tensorflow/tfjs';
import { resolveRun, type RunRequest } from '../training/run-config.ts';
import { runStreams, totalLoss } from '../training/train.ts';
import { initMLP, disposeMLP, trainableVariables } from '../../model/mlp.ts';

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
