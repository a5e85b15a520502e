/**
 * One cell of the operator micro-benchmark: one estimator at one dimension, timing one operator
 * evaluation plus its parameter gradient (the PINN step minus the optimizer) with tinybench.
 * Runs inside a child process so that a WASM out-of-memory abort is a row, not a crash.
 */
import * as tf from '@tensorflow/tfjs';
import { Bench } from 'tinybench';
import { getEstimator } from '../../operators/registry.ts';
import { initMLP, trainableVariables } from '../../model/mlp.ts';
import { zeroBoundaryBall, type Target } from '../../operators/target.ts';
import { rngFromSeed } from '../../sampling/rng.ts';
import { assertWasmHeapHealthy } from '../../engine/wasm-heap.ts';
import { profileKernels } from '../kernel-time.ts';

export interface OperatorCell {
  estimator: string;
  dim: number;
  R: number;
  points: number;
  width: number;
  depth: number;
  timeMs: number;
  seed: number;
}

export interface OperatorCellResult {
  mean_ms: number;
  p50_ms: number;
  p99_ms: number;
  samples: number;
  it_per_s: number;
  kernels_per_call: number;
  kernel_ms_per_call: number | null;
  peak_tensor_mb: number;
}

export async function runOperatorCell(c: OperatorCell): Promise<OperatorCellResult> {
  const estimator = getEstimator(c.estimator);
  const rng = rngFromSeed(c.seed);
  const model = initMLP({ dim: c.dim, extraInputs: 0, width: c.width, depth: c.depth, block: 1 }, rng.child('init'));
  const target: Target = { model, ansatz: zeroBoundaryBall(c.dim) };
  const x = tf.randomUniform([c.points, c.dim], -1 / Math.sqrt(c.dim), 1 / Math.sqrt(c.dim), 'float32', rng.child('points').int31()) as tf.Tensor2D;
  const R = estimator.sampling === 'exact' ? 0 : c.R;
  const vars = trainableVariables(model);
  let call = 0;
  const step = () => {
    const { value, grads } = tf.variableGrads(
      () => tf.tidy(() => tf.sum(estimator.laplacian({ target, x, d: c.dim, R, dist: 'rademacher', rng: rng.child(call++) }).value)) as tf.Scalar,
      vars,
    );
    // Reading the value back waits for every kernel (needed on asynchronous backends).
    value.dataSync();
    value.dispose();
    Object.values(grads).forEach((g) => g.dispose());
  };
  // The budget decides how many calls are timed (tinybench's default of at least 64, and 16 warm-up
  // calls, would run a cell of seconds per call for minutes, past its --timeout): at least 5, after 2.
  const bench = new Bench({ time: c.timeMs, iterations: 5, warmupTime: Math.min(500, c.timeMs / 4), warmupIterations: 2, retainSamples: true });
  bench.add(c.estimator, step);
  await bench.run();
  assertWasmHeapHealthy();
  const r = bench.tasks[0].result as unknown as { state?: string; error?: Error; latency: { mean: number; p50: number; p99: number; samples?: number[] }; period: number };
  if (r.error) throw r.error; // before anything else runs on an engine the error may have left untrustworthy
  // Profiled after the timed calls, in the same steady state, so that its kernel time is comparable with theirs.
  const { prof, kernels, ms: kernelTotal } = await profileKernels(step);
  return {
    mean_ms: r.latency.mean,
    p50_ms: r.latency.p50,
    p99_ms: r.latency.p99,
    samples: r.latency.samples?.length ?? 0,
    it_per_s: 1000 / r.latency.mean,
    kernels_per_call: kernels,
    kernel_ms_per_call: kernelTotal,
    peak_tensor_mb: prof.peakBytes / 2 ** 20,
  };
}
