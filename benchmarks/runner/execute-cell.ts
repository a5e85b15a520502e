/**
 * Runs one cell: `stde-bench train … --json` in its own child process (execa) under a time limit and a
 * resident-memory cap, and turns whatever happened into a CSV row plus the per-step samples.
 */
import { execa } from 'execa';
import { fileURLToPath } from 'node:url';
import { classify, outcomeOf, type ChildVerdict } from './classify.ts';
import { MemoryWatch, MEMORY_WATCH_PROBE } from './memory-watch.ts';
import { trainArgs, type Cell } from './matrix.ts';
import { requestOfCell } from './validate-cells.ts';
import { resolveRun } from '../training/run-config.ts';
import type { Row } from './csv-store.ts';
import type { Eval, Samples } from './results-folder.ts';

export const BIN = fileURLToPath(new URL('../../bin/stde-bench.mjs', import.meta.url));

export interface CellLimits {
  timeoutS: number;
  memoryMb?: number;
}

export interface CellResult {
  row: Row;
  samples?: Samples;
  verdict: ChildVerdict;
}

/**
 * Record fields that are not labels: the CSV's own columns, and settings or diagnostics that follow
 * from the cell (everything else that is a plain value — sampler, source variant, preset, probe
 * distribution … — lands in `labels`). A test holds it to docs/train-contract.md's fields.
 */
export const NOT_LABELS = new Set([
  'pde', 'dim', 'estimator', 'R', 'seed', 'backend', 'steps', 'width', 'depth', 'block', 'points', 'it_per_s',
  'step_ms_median', 'step_ms_p10', 'step_ms_p90', 'step_ms', 'peak_tensor_mb', 'memory_probe', 'rss_peak_mb',
  'rel_l2_final', 'rel_l2_best', 'rel_l1_final', 'rel_l1_best', 'evals', 'status', 'wall_s', 'message', 'params',
  'steps_done', 'warmup_steps', 'timed_steps', 'timing', 'paper_id', 'experiment_seed', 'boundary_points', 'lr',
  'schedule', 'eval_every', 'test_points', 'metric', 'loss_final', 'rel_l2_initial', 'rel_l1_initial',
  'micro_batches', 'wasm_heap_mb',
]);

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

function labelsOf(rec: Record<string, unknown>): string {
  return Object.entries(rec)
    .filter(([k, v]) => !NOT_LABELS.has(k) && ['string', 'number', 'boolean'].includes(typeof v) && v !== '')
    .map(([k, v]) => `${k}=${String(v)}`)
    .join('; ');
}

/**
 * The child's own time limit (train --time-limit): the runner's limit less what train's clock does not
 * see (Node and the engine starting, the record printed), a tenth of it within 10–60 s. A cell that
 * reaches it ends as `timeout` with its steps timed; the runner's kill at the full limit stays for a
 * step that overruns it.
 */
export function childTimeLimitS(timeoutS: number): number {
  return Math.max(1, timeoutS - Math.min(60, Math.max(10, timeoutS / 10)));
}

export interface RunningChild {
  pid: number;
}

export async function executeCell(
  cell: Cell,
  limits: CellLimits,
  onStart?: (child: RunningChild) => void,
): Promise<CellResult> {
  const startedAt = new Date();
  const t0 = performance.now();
  const args = [...trainArgs(cell), '--time-limit', String(childTimeLimitS(limits.timeoutS))];
  const child = execa(process.execPath, [BIN, 'train', ...args], {
    reject: false,
    stdin: 'ignore',
    timeout: limits.timeoutS * 1000,
    killSignal: 'SIGKILL',
    maxBuffer: 256 * 1024 * 1024,
    // Its stderr is a pipe the runner only scans for the failure line: no colour codes in it.
    env: { FORCE_COLOR: '0' },
  });
  const pid = child.pid;
  let watch: MemoryWatch | undefined;
  if (pid !== undefined) {
    onStart?.({ pid });
    watch = new MemoryWatch(pid, limits.memoryMb, () => child.kill('SIGKILL')).start();
  }
  const r = await child;
  watch?.stop();
  const wall = (performance.now() - t0) / 1000;

  const verdict = classify(outcomeOf(r, watch?.exceeded ?? false), limits.memoryMb);
  const rec = verdict.record ?? {};
  // A cell that left no record still names its network and batch as train would have run it (the
  // PDE's defaults where the matrix gives none: the report matches it with the paper's row by them).
  const planned = verdict.record ? undefined : resolveRun(requestOfCell(cell));
  const fallbacks: Record<string, number | undefined> = { width: planned?.model.width, depth: planned?.model.depth, block: planned?.model.block, points: planned?.points };
  const pick = (k: string, given: number | undefined) => num(rec[k]) ?? given ?? fallbacks[k] ?? null;
  const stepMs = Array.isArray(rec.step_ms) ? (rec.step_ms as unknown[]).filter((x): x is number => typeof x === 'number') : [];
  const recRss = num(rec.rss_peak_mb);
  const watchedRss = watch && watch.peakMb > 0 ? Math.round(watch.peakMb * 10) / 10 : null;

  const row: Row = {
    cell: cell.id,
    pde: cell.pde,
    dim: cell.dim,
    estimator: cell.estimator,
    R: cell.R,
    seed: cell.seed,
    backend: cell.backend,
    width: pick('width', cell.width),
    depth: pick('depth', cell.depth),
    block: pick('block', cell.block),
    steps: cell.steps,
    points: pick('points', cell.points),
    micro_batches: num(rec.micro_batches),
    variant: cell.variant,
    status: verdict.status,
    steps_done: num(rec.steps_done),
    it_per_s: num(rec.it_per_s),
    step_ms_median: num(rec.step_ms_median),
    step_ms_p10: num(rec.step_ms_p10),
    step_ms_p90: num(rec.step_ms_p90),
    warmup_steps: num(rec.warmup_steps),
    timed_steps: num(rec.timed_steps),
    timing: typeof rec.timing === 'string' ? rec.timing : '',
    peak_tensor_mb: num(rec.peak_tensor_mb),
    memory_probe: typeof rec.memory_probe === 'string' ? rec.memory_probe : '',
    rss_peak_mb: recRss ?? watchedRss,
    rss_probe: recRss !== null ? 'process.resourceUsage().maxRSS (train)' : watchedRss !== null ? MEMORY_WATCH_PROBE : '',
    wasm_heap_mb: num(rec.wasm_heap_mb),
    rel_l2_final: num(rec.rel_l2_final),
    rel_l2_best: num(rec.rel_l2_best),
    rel_l1_final: num(rec.rel_l1_final),
    rel_l1_best: num(rec.rel_l1_best),
    params: num(rec.params),
    labels: labelsOf(rec),
    wall_s: Math.round(wall * 100) / 100,
    started_at: startedAt.toISOString(),
    message: verdict.message,
  };
  const samples: Samples | undefined = verdict.record
    ? { cell: cell.id, step_ms: stepMs, evals: Array.isArray(rec.evals) ? (rec.evals as Eval[]) : [] }
    : undefined;
  return { row, samples, verdict };
}
