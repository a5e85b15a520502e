/**
 * The result record of one training run (`train --json`, docs/train-contract.md). Timing fields
 * (TIMING_FIELDS: it_per_s, step_ms*, wall_s, rss_peak_mb, wasm_heap_mb) vary between runs; every other field is a function of
 * the configuration, the seed and the backend.
 */
import { quantileSorted } from 'simple-statistics';

export interface EvalPoint {
  step: number;
  loss: number | null;
  rel_l2: number | null;
  rel_l1: number | null;
}

/**
 * How a train run ended; 'timeout': stopped at its time limit (--time-limit) with the steps done,
 * timed; 'oom': a step after the first ran out of memory (the heap filled up later), with the steps
 * done before it, timed. (A first step that cannot fit is retried in micro-batches, or refused.)
 */
export const RECORD_STATUSES = ['ok', 'diverged', 'timeout', 'oom'] as const;
export type RecordStatus = (typeof RECORD_STATUSES)[number];

export interface TrainRecord {
  pde: string;
  paper_id: string;
  dim: number;
  estimator: string;
  R: number;
  /** The probe distribution, for estimators that draw probes; null for the rest, which ignore it. */
  dist: string | null;
  seed: number;
  experiment_seed: number;
  backend: string;
  steps: number;
  steps_done: number;
  width: number;
  depth: number;
  block: number;
  /** The weight-sharing map when block > 1 ('affine-tanh' or 'conv'); null without weight sharing. */
  sharing: string | null;
  points: number;
  boundary_points: number;
  /** Equal micro-batches per step (gradient accumulation; the memory plan's choice unless given). */
  micro_batches: number;
  params: number;
  lr: number;
  /** The loss form, 'biased' (the paper's) or 'unbiased' (two independent draws, Eq. 25). */
  loss: string;
  schedule: string;
  eval_every: number;
  test_points: number;
  metric: string;
  it_per_s: number | null;
  step_ms_median: number | null;
  step_ms_p10: number | null;
  step_ms_p90: number | null;
  /** Per-step wall milliseconds of the timed (steady-state) steps, the last 2000. */
  step_ms: number[];
  warmup_steps: number;
  timed_steps: number;
  timing: string;
  peak_tensor_mb: number | null;
  memory_probe: string;
  rss_peak_mb: number;
  /** High-water mark of the WASM heap (it never shrinks), wasm only: the tensors' real footprint. */
  wasm_heap_mb: number | null;
  loss_final: number | null;
  rel_l2_initial: number | null;
  rel_l1_initial: number | null;
  rel_l2_final: number | null;
  rel_l2_best: number | null;
  rel_l1_final: number | null;
  rel_l1_best: number | null;
  evals: EvalPoint[];
  status: RecordStatus;
  wall_s: number;
  message: string;
  /** Labels the result must carry (variant, source, sampler, preset, …). */
  [label: string]: unknown;
}

export const TIMING_FIELDS = ['it_per_s', 'step_ms_median', 'step_ms_p10', 'step_ms_p90', 'step_ms', 'wall_s', 'rss_peak_mb', 'wasm_heap_mb'] as const;

export const STEP_MS_KEPT = 2000;

/** The words of a record's `timing` text that say a step's loss was read back during the next step. */
export const IN_FLIGHT = 'one step in flight';

/**
 * What a `timing` text says was timed, its wording aside: steps with one in flight, or steps that each
 * read their loss back ('' for no text). `compare` matches runs by it.
 */
export const timingMode = (timing: string): string => (!timing ? '' : timing.includes(IN_FLIGHT) ? IN_FLIGHT : 'loss read back every step');

/**
 * Warm-up steps excluded from the timing: a tenth of the run, at least 1 (the first step compiles
 * shaders, fills caches) and at most 10; none in a run of one step, which would time nothing.
 */
export function warmupSteps(steps: number): number {
  return steps < 2 ? 0 : Math.max(1, Math.min(10, Math.floor(steps / 10)));
}

export function stepStats(ms: number[]): Pick<TrainRecord, 'it_per_s' | 'step_ms_median' | 'step_ms_p10' | 'step_ms_p90'> {
  if (ms.length === 0) return { it_per_s: null, step_ms_median: null, step_ms_p10: null, step_ms_p90: null };
  const sorted = [...ms].sort((a, b) => a - b);
  const total = ms.reduce((a, b) => a + b, 0);
  const r = (x: number) => Math.round(x * 1000) / 1000;
  return {
    it_per_s: r((1000 * ms.length) / total),
    step_ms_median: r(quantileSorted(sorted, 0.5)),
    step_ms_p10: r(quantileSorted(sorted, 0.1)),
    step_ms_p90: r(quantileSorted(sorted, 0.9)),
  };
}

/** A number for JSON: non-finite values become null. */
export const finite = (x: number | undefined | null): number | null => (x !== undefined && x !== null && Number.isFinite(x) ? x : null);
