/**
 * The kernel share of a profiled loss-and-gradient computation (issue 6, target 3; `stde-bench
 * profile` prints it by kernel): the estimator, the loss and the parameter gradient of one step, on
 * points drawn beforehand, with the source term's values where the PDE computes them as it draws its
 * points (the two- and three-body PDEs do). `stde-bench profile --whole-step` profiles a whole
 * training step instead, as `train` runs it (drawing the points and the source, Adam included).
 * `stde-bench targets` measures it as a child `profile --json`, and its other targets as child `train`s.
 */
import * as tf from '@tensorflow/tfjs';
import { resolveRun, type RunConfig, type RunRequest } from '../training/run-config.ts';
import { buildRun, dispatchStep, lossPass, stepLossAndGrads } from '../training/train.ts';
import { Adam } from '../training/adam.ts';
import { fitMicroBatches } from '../training/fit-micro-batches.ts';
import { profileKernels, type KernelRow } from '../kernel-time.ts';
import { dispatchStats } from '../../engine/webgpu/webgpu.ts';

export interface KernelSplit {
  wall_ms: number;
  kernel_ms: number;
  kernel_share: number;
  kernels: number;
  /** The same kernels by name (count, summed time). */
  by_kernel: KernelRow[];
  /** GPU programs dispatched (webgpu only, else null): what a step costs there (README, *Speed on a GPU*). */
  dispatches: number | null;
  /** Micro-batches of the step (a loss-and-gradient profile covers one of them). */
  micro_batches: number;
  /** tf.profile's peak tensor bytes of the profiled call. */
  peak_bytes: number;
  /** The kernel share of every profiled call, in order: the split above is that of the median one. */
  kernel_shares: number[];
}

/** What is profiled: the loss and its gradient on points drawn beforehand, or a whole training step. */
export type ProfileScope = 'loss-and-gradient' | 'step';

/** Calls run before the profiled ones, after the first (which finds the micro-batch count). */
const WARM_UP_CALLS = 3;

/**
 * One profiled loss-and-gradient step (or whole training step): the share of its wall time spent
 * inside kernels (the rest is JS dispatch, tape bookkeeping and allocation) and its kernel count; of
 * `calls` such calls after the warm-up, the one whose share is the median (the lower of two).
 * Profiling times every kernel, so the share is taken within the same profiled call. Kernels are the
 * registered tfjs kernels and our SIMD kernels called directly (benchmarks/kernel-time.ts).
 */
export async function kernelSplit(req: RunRequest, scope: ProfileScope = 'loss-and-gradient', calls = 1): Promise<KernelSplit> {
  const cfg = resolveRun({ testPoints: 0, ...req });
  // The micro-batches train would run (on wasm, found by trying: the first call is the try).
  const { value: prepared, microBatches: k } = await fitMicroBatches(cfg, tf.getBackend(), async (k) => {
    const p = prepare(cfg, k, scope);
    p.profiled(0)();
    return p;
  });
  const { run, adam, profiled } = prepared;
  // Warm-up: caches (XNNPACK operators, shader/kernel set-up) and V8's optimised code, without which the
  // first calls' share of kernels is 0.65–0.7 at d = 100 against ~0.85 from the fourth on.
  for (let s = 1; s <= WARM_UP_CALLS; s++) profiled(s)();
  // One call of tens of milliseconds takes a burst of the machine's noise whole: the median of several.
  const splits: Omit<KernelSplit, 'kernel_shares'>[] = [];
  for (let call = 0; call < calls; call++) {
    const step = profiled(1 + WARM_UP_CALLS + call);
    const d0 = dispatchStats.dispatches;
    const t0 = performance.now();
    const { kernels, ms, byName, prof } = await profileKernels(step);
    const wall = performance.now() - t0;
    const dispatches = tf.getBackend() === 'webgpu' ? dispatchStats.dispatches - d0 : null;
    const kernelMs = ms ?? 0;
    splits.push({ wall_ms: wall, kernel_ms: kernelMs, kernel_share: kernelMs / wall, kernels, by_kernel: byName, dispatches, micro_batches: k, peak_bytes: prof.peakBytes });
  }
  adam?.dispose();
  run.dispose();
  const median = [...splits].sort((a, b) => a.kernel_share - b.kernel_share)[(splits.length - 1) >> 1];
  return { ...median, kernel_shares: splits.map((x) => x.kernel_share) };
}

/** The run and the profiled call of step s, with k micro-batches. */
function prepare(cfg: RunConfig, k: number, scope: ProfileScope) {
  const run = buildRun(cfg);
  const { streams, lossProblem, target, vars } = run;
  // The points of a step are drawn before the profiled region: tfjs draws random numbers in JS
  // outside any kernel, and that is data generation, not the STDE step's dispatch or tape overhead.
  const pass = lossPass(cfg, lossProblem, target, vars);
  const lossAndGrad = (s: number) => {
    const rng = streams.step(s);
    const data = pass.sample(rng, { points: cfg.points / k, boundaryPoints: cfg.boundaryPoints / k });
    return () =>
      tf.tidy(() => {
        pass.lossAndGrads(data, rng).value.dataSync();
      });
  };
  // A whole step as train runs it: the points drawn inside, Adam after the gradient.
  const adam = scope === 'step' ? new Adam(vars) : null;
  const wholeStep = (a: Adam) => {
    const lossAndGrads = stepLossAndGrads(cfg, k, lossProblem, target, vars);
    return (s: number) => () => {
      const value = dispatchStep(lossAndGrads, a, streams.step(s), cfg.lr);
      value.dataSync();
      value.dispose();
    };
  };
  return { run, adam, profiled: adam ? wholeStep(adam) : lossAndGrad };
}
