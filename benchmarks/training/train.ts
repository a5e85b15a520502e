/**
 * The training loop (pdes.md §8, §10, §11). Each step draws fresh points and index sets, computes
 * the loss Σ_k w_k·mean(r_k²) and its parameter gradient by reverse mode, and applies one Adam
 * update with the scheduled learning rate. Evaluations run before training (initial error), every
 * `evalEvery` steps and after the last step; best (D14) excludes the initial one.
 *
 * Seeds (D16): the PDE's coefficients come from the experiment seed; initialisation, the points
 * and index sets of every step and the test set come from the run seed, each from its own stream.
 *
 * Measurement (pdes.md §11): a timed step covers sampling, loss, gradient and update of one step and
 * the read-back of one loss (which waits for the device): with one step in flight, the previous
 * step's; with `syncSteps`, its own. Warm-up steps and evaluations are excluded. With a time limit,
 * no step starts that would end past it: the run ends as `timeout`, with the steps it did. Peak
 * tensor memory comes from one extra tf.profile'd loss-and-gradient step on its own stream, taken
 * before training and never applied, because profiling slows kernels and must not change the run.
 */
import * as tf from '@tensorflow/tfjs';
import type { LossContext, Problem } from '../pdes/pde.ts';
import { biasedLoss, unbiasedLoss } from './loss.ts';
import { DATA_FIT } from '../pdes/methods.ts';
import type { RunConfig } from './run-config.ts';
import { Adam } from './adam.ts';
import { makeSchedule } from './schedule.ts';
import { makeEvaluator, type Errors } from './evaluate.ts';
import { dataFitProblem } from './data-fit.ts';
import { fitMicroBatches, outOfHeapNote } from './fit-micro-batches.ts';
import { finite, IN_FLIGHT, STEP_MS_KEPT, stepStats, warmupSteps, type EvalPoint, type TrainRecord } from './record.ts';
import { initMLP, disposeMLP, parameterCount, trainableVariables } from '../../model/mlp.ts';
import { rngFromSeed, type Rng } from '../../sampling/rng.ts';
import type { Target } from '../../operators/target.ts';
import { assertWasmHeapHealthy, wasmHeapBytes } from '../../engine/wasm-heap.ts';
import { readLater } from '../../engine/webgpu/readback.ts';
import { profile } from '../../engine/profile.ts';
import { outOfMemoryBehind } from '../../engine/out-of-memory.ts';

const eventLoopTurn = () => new Promise<void>((r) => setImmediate(r));

const heapMb = (): number | null => {
  const b = wasmHeapBytes();
  return b === null ? null : Math.round(b / 2 ** 20);
};

export interface TrainHooks {
  /** Called after every step with the 1-based step count and its loss. */
  onStep?(step: number, loss: number): void;
  onEval?(e: EvalPoint): void;
  /** Called with the micro-batch count before the first step tries it (the plan may try several). */
  onMicroBatches?(k: number): void;
}

/** The run's random streams (D16). */
export function runStreams(experimentSeed: number, seed: number) {
  const experiment = rngFromSeed(experimentSeed);
  const run = experiment.child(`run:${seed}`);
  return {
    coefficients: experiment.child('coefficients'),
    init: run.child('init'),
    test: run.child('test'),
    profile: run.child('profile'),
    step: (s: number): Rng => run.child('step').child(s),
  };
}

/**
 * One loss pass in its two stages: drawing the points (with their source term), then the loss on
 * them and its parameter gradient, whose index sets / probes come from the step's stream. Apart so
 * that a profile can leave the drawing out (benchmarks/targets/measure.ts). The unbiased loss takes
 * its second draw K from a stream of its own, its residuals computed before the taped pass.
 */
export function lossPass(cfg: RunConfig, lossProblem: Problem, target: Target, vars: tf.Variable[]) {
  const method = { name: cfg.method, estimator: cfg.estimator };
  const context = (rng: Rng): LossContext => ({ target, method, R: cfg.R, dist: cfg.dist, rng });
  return {
    sample: (pointsRng: Rng, sizes: { points: number; boundaryPoints: number }) => lossProblem.sample(pointsRng, sizes),
    lossAndGrads: (data: ReturnType<Problem['sample']>, step: Rng) => {
      const ctx = context(step.child('directions'));
      if (cfg.loss === 'biased') return tf.variableGrads(() => biasedLoss(lossProblem.residuals(data, ctx)), vars);
      // No tape is open here, so K's residuals carry no gradient path (clones: a residual may be data).
      const second = tf.tidy(() => lossProblem.residuals(data, context(step.child('directions-K'))).map((p) => tf.clone(p.r)));
      const result = tf.variableGrads(() => unbiasedLoss(lossProblem.residuals(data, ctx), second), vars);
      tf.dispose(second);
      return result;
    },
  };
}

/**
 * Loss and parameter gradient of one step (call inside a tidy). In k equal micro-batches each
 * draws its own points, all with the step's index sets / probes; the loss is a mean over points, so
 * the step's loss and gradient are the micro-batches' averages, accumulated as they come.
 */
export function stepLossAndGrads(cfg: RunConfig, microBatches: number, lossProblem: Problem, target: Target, vars: tf.Variable[]) {
  const sizes = { points: cfg.points, boundaryPoints: cfg.boundaryPoints };
  const { sample, lossAndGrads } = lossPass(cfg, lossProblem, target, vars);
  /** One draw of points; the index sets / probes come from the step's stream. */
  const pass = (pointsRng: Rng, step: Rng, s: typeof sizes) => lossAndGrads(sample(pointsRng, s), step);
  return (rng: Rng): { value: tf.Scalar; grads: tf.NamedTensorMap } => {
    if (microBatches === 1) return pass(rng, rng, sizes);
    const part = { points: sizes.points / microBatches, boundaryPoints: sizes.boundaryPoints / microBatches };
    let acc: { value: tf.Scalar; grads: tf.NamedTensorMap } | null = null;
    for (let b = 0; b < microBatches; b++) {
      const next = tf.tidy(() => {
        const r = pass(microBatchStream(rng, b), rng, part);
        const scaled = { value: tf.div(r.value, microBatches) as tf.Scalar, grads: {} as tf.NamedTensorMap };
        for (const [name, g] of Object.entries(r.grads)) scaled.grads[name] = acc ? tf.add(acc.grads[name], tf.div(g, microBatches)) : tf.div(g, microBatches);
        if (acc) scaled.value = tf.add(acc.value, scaled.value);
        return scaled;
      });
      if (acc) tf.dispose([acc.value, ...Object.values(acc.grads)]);
      acc = next;
    }
    return acc!;
  };
}

/**
 * Dispatches one training step: its loss and gradient, then the Adam update with learning rate
 * `lr`. Returns the loss, unread (reading it waits for the device).
 */
export function dispatchStep(lossAndGrads: ReturnType<typeof stepLossAndGrads>, adam: Adam, rng: Rng, lr: number): tf.Scalar {
  return tf.tidy(() => {
    const { value, grads } = lossAndGrads(rng);
    adam.apply(grads, lr);
    return value;
  });
}

/** The points stream of micro-batch b of a step. */
export const microBatchStream = (step: Rng, b: number): Rng => step.child('micro-batch').child(b);

/**
 * What a run trains, set up from its config: the streams (D16), the PDE's problem, the problem the
 * loss is taken on (the data-fit floor's for estimator 'none'), the model and its variables; and
 * their disposal. Shared with the profile (benchmarks/targets/measure.ts): it measures what train runs.
 */
export function buildRun(cfg: RunConfig) {
  const streams = runStreams(cfg.experimentSeed, cfg.seed);
  const problem = cfg.pde.setup({ d: cfg.d, options: cfg.options, coefficients: streams.coefficients, method: cfg.method });
  const lossProblem: Problem = cfg.method === DATA_FIT ? dataFitProblem(cfg.pde, problem) : problem;
  const model = initMLP(cfg.model, streams.init);
  const target: Target = { model, ansatz: problem.ansatz };
  const vars = trainableVariables(model);
  return {
    streams,
    problem,
    lossProblem,
    model,
    target,
    vars,
    dispose(): void {
      disposeMLP(model);
      problem.dispose?.();
    },
  };
}

/**
 * The run built and its first, unapplied loss-and-gradient step profiled (the record's peak tensor
 * bytes): the step that finds out, on wasm, how many micro-batches fit (fit-micro-batches.ts). By
 * its seeds the run is then the same as one given that count.
 */
async function profiledFirstStep(cfg: RunConfig, microBatches: number) {
  const run = buildRun(cfg);
  const adam = new Adam(run.vars);
  const evaluator = cfg.pde.accuracy ? makeEvaluator(run.problem, run.streams.test, cfg.testPoints) : null;
  const lossAndGrads = stepLossAndGrads(cfg, microBatches, run.lossProblem, run.target, run.vars);
  const { peakBytes } = await profile(() => void tf.tidy(() => void lossAndGrads(run.streams.profile)));
  assertWasmHeapHealthy();
  return { run, adam, evaluator, lossAndGrads, peakBytes };
}

export async function train(cfg: RunConfig, backend: string, hooks: TrainHooks = {}): Promise<TrainRecord> {
  const t0 = performance.now();
  const fitted = await fitMicroBatches(cfg, backend, (k) => {
    hooks.onMicroBatches?.(k);
    return profiledFirstStep(cfg, k);
  });
  const { run, adam, evaluator, lossAndGrads, peakBytes } = fitted.value;
  const { microBatches } = fitted;
  const { streams, problem, target } = run;
  const schedule = makeSchedule(cfg.schedule, cfg.lr, cfg.steps);
  const peakTensorMb = Math.round(((peakBytes + adam.hostBytes) / 2 ** 20) * 1000) / 1000;

  const evals: EvalPoint[] = [];
  const evaluate = (step: number, loss: number | null): Errors | null => {
    if (!evaluator) return null;
    const e = evaluator.evaluate(target);
    const point = { step, loss: finite(loss), rel_l2: finite(e.rel_l2), rel_l1: finite(e.rel_l1) };
    if (step > 0) evals.push(point);
    hooks.onEval?.(point);
    return e;
  };
  const initial = evaluate(0, null);

  const warmup = warmupSteps(cfg.steps);
  const stepMs: number[] = [];
  let loss = NaN;
  let done = 0;
  let status: TrainRecord['status'] = 'ok';
  let message = '';
  // One step may stay in flight (unless cfg.syncSteps): step s+1 is dispatched before step s's loss
  // is read, so the host prepares the next step while the device finishes the last one, as JAX's
  // asynchronous dispatch does in the paper's loop. Evaluations, the last step and `syncSteps`
  // drain it. On wasm every kernel runs when it is called, so nothing changes there.
  // Its loss's read-back is queued right after it (readLater), so that reading it waits for that
  // step only, not for the one dispatched since.
  type InFlight = { value: tf.Scalar; read: () => Float32Array };
  let inFlight: InFlight | null = null;
  /** Reads the oldest unread loss; false when the run must stop (non-finite loss). */
  const settle = (): boolean => {
    const { value, read } = inFlight!;
    inFlight = null;
    loss = read()[0];
    value.dispose();
    // Allocations inside WASM (XNNPACK's packed weights) bypass the 2 GiB guard: if the heap grew
    // past it, nothing computed from here on can be trusted, so the run ends as out of memory.
    assertWasmHeapHealthy();
    done++;
    hooks.onStep?.(done, loss);
    if (Number.isFinite(loss)) return true;
    status = 'diverged';
    message = `non-finite loss (${loss}) at step ${done}`;
    return false;
  };
  const evaluationDue = (s: number) => (s + 1) % cfg.evalEvery === 0 || s + 1 === cfg.steps;
  // With a time limit, a step starts only if it (and the evaluation after it) should end within the
  // limit, judged by the last ones; the first step always runs. A runner's kill at its own limit
  // would lose the record; stopping here keeps the steps done, timed.
  let lastStepMs = 0;
  let lastEvalMs = 0;
  const warmupMs: number[] = [];
  const outOfTime = (s: number) =>
    cfg.timeLimitS > 0 && s > 0 && performance.now() - t0 + lastStepMs + (evaluationDue(s) ? lastEvalMs : 0) > 1000 * cfg.timeLimitS;
  let evaluating = false;
  for (let s = 0; s < cfg.steps && status === 'ok'; s++) {
    try {
      if (outOfTime(s)) {
        if (inFlight === null || settle()) {
          status = 'timeout';
          message = `stopped at the ${cfg.timeLimitS} s time limit after ${done} of ${cfg.steps} steps`;
        }
        break;
      }
      const start = performance.now();
      const value = dispatchStep(lossAndGrads, adam, streams.step(s), schedule.lr(s));
      const read = readLater(value);
      const previousOk = inFlight === null || settle();
      inFlight = { value, read };
      const due = evaluationDue(s);
      if (previousOk && (cfg.syncSteps || due)) settle();
      // Let the event loop turn, timed with the step: Dawn frees the step's per-kernel GPU objects
      // only then (webgpu dies after a few hundred synchronous steps otherwise), work the loop needs;
      // the progress bar redraws too.
      await eventLoopTurn();
      const ms = performance.now() - start; // every clock read follows a read-back, which waits for the device
      lastStepMs = ms;
      (s >= warmup ? stepMs : warmupMs).push(ms);
      if (status === 'ok' && inFlight === null && due) {
        const e0 = performance.now();
        evaluating = true;
        evaluate(done, loss);
        evaluating = false;
        lastEvalMs = performance.now() - e0;
        await eventLoopTurn(); // its kernels' objects freed here, not in the next step's timed turn
      }
    } catch (e) {
      // The first step fitted, yet a later one ran out (the heap's holes, an evaluation): the run ends
      // here with what it measured, like a time limit, rather than as a crash that keeps nothing.
      const oom = outOfMemoryBehind(e);
      if (!oom) throw e;
      status = 'oom';
      message = `${oom}: ${evaluating ? `in the evaluation after step ${done}` : `at step ${done + (inFlight ? 2 : 1)}`}, after ${done} of ${cfg.steps} steps`;
      // The engine's state after a refused allocation cannot be trusted: nothing more is read. A step
      // that ran but whose loss was not read (in flight, or refused by the heap check after the read)
      // is neither counted nor timed (below).
      inFlight = null;
      break;
    }
  }
  // One timing per counted step: a step dispatched after the one whose loss diverged, or after the
  // last one read before the heap ran out, ran but is not counted.
  while (stepMs.length + warmupMs.length > done) (stepMs.length ? stepMs : warmupMs).pop();
  if (inFlight) {
    // A step dispatched after a diverged one: finish its read (which frees the staging buffer), then drop it.
    const { value, read } = inFlight as InFlight;
    read();
    value.dispose();
  }
  // Stopped (time limit, or a later step out of memory) inside the warm-up: timed over every step but the first (set-up, caches).
  const inWarmup = (status === 'timeout' || status === 'oom') && stepMs.length === 0;
  if (inWarmup) stepMs.push(...warmupMs.slice(1));
  const warmupDone = inWarmup ? Math.min(1, warmupMs.length) : Math.min(warmup, done);

  const best = (k: 'rel_l2' | 'rel_l1') => {
    const v = evals.map((e) => e[k]).filter((x): x is number => x !== null);
    return v.length ? Math.min(...v) : null;
  };
  const last = status === 'ok' || status === 'timeout' ? evals[evals.length - 1] : undefined; // timeout: its last evaluation
  const timed = stepMs.slice(-STEP_MS_KEPT).map((x) => Math.round(x * 1000) / 1000);
  const record: TrainRecord = {
    pde: cfg.pde.name,
    paper_id: cfg.pde.paperId,
    dim: cfg.d,
    estimator: cfg.method,
    R: cfg.R,
    dist: cfg.estimator?.sampling === 'probes' ? cfg.dist : null,
    seed: cfg.seed,
    experiment_seed: cfg.experimentSeed,
    backend,
    steps: cfg.steps,
    steps_done: done,
    width: cfg.model.width,
    depth: cfg.model.depth,
    block: cfg.model.block,
    sharing: cfg.model.block > 1 ? cfg.model.sharing! : null,
    points: cfg.points,
    boundary_points: cfg.boundaryPoints,
    micro_batches: microBatches,
    params: parameterCount(cfg.model),
    lr: cfg.lr,
    loss: cfg.loss,
    schedule: schedule.name,
    eval_every: cfg.evalEvery,
    test_points: evaluator ? (problem.pointReference ? 1 : cfg.testPoints) : 0,
    metric: evaluator?.metric ?? (cfg.pde.accuracy && cfg.testPoints === 0 ? 'none (--test-points 0)' : 'none (no exact solution or reference)'),
    ...stepStats(stepMs),
    step_ms: timed,
    warmup_steps: warmupDone,
    timed_steps: stepMs.length,
    timing: cfg.syncSteps
      ? 'wall clock per training step (sample points, loss, parameter gradient, Adam update, loss read-back, a turn of the event loop), warm-up steps and evaluations excluded'
      : `wall clock per training step (sample points, loss, parameter gradient, Adam update, then the previous step's loss read back: ${IN_FLIGHT}; a turn of the event loop), warm-up steps and evaluations excluded`,
    peak_tensor_mb: peakTensorMb,
    memory_probe: `tf.profile peakBytes (all live tensors incl. weights and optimizer state), 1 separate unapplied loss+gradient step${adam.hostBytes ? ", + the wide weights' Adam moments kept in JS memory" : ''}`,
    rss_peak_mb: Math.round(process.resourceUsage().maxRSS / 1024),
    wasm_heap_mb: heapMb(),
    loss_final: finite(loss),
    rel_l2_initial: finite(initial?.rel_l2),
    rel_l1_initial: finite(initial?.rel_l1),
    rel_l2_final: last?.rel_l2 ?? null,
    rel_l2_best: best('rel_l2'),
    rel_l1_final: last?.rel_l1 ?? null,
    rel_l1_best: best('rel_l1'),
    evals,
    status,
    wall_s: Math.round(performance.now() - t0) / 1000,
    message: [outOfHeapNote(fitted), message].filter(Boolean).join('; '),
    ...problem.labels,
  };
  if (status !== 'oom') {
    adam.dispose();
    run.dispose();
  }
  return record;
}
