/**
 * Regression check between two runs, as asv does it: cells are matched by id; a cell regressed only
 * when its median step time grew by more than `factor` AND the per-step samples differ significantly
 * (two-sided Mann–Whitney U, p < alpha). A cell that ran in the base but fails in the new run (oom,
 * timeout, error) is also a regression: a CI gate must not pass a benchmark that stopped working.
 * A cell stopped at its time limit in both runs still has its timed steps (README: `run` gives every
 * cell a limit so that a slow cell keeps a speed), so those are compared like finished cells.
 * Cells whose `timing` says they were timed differently (one step in flight against `--sync-steps`
 * or a run from before steps were kept in flight; record.ts's timingMode, not the text's wording) get
 * the verdict 'timing differs': not a regression or an improvement, yet it fails the gate like one,
 * since it leaves the cell unchecked (re-record the base).
 */
import { existsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { median } from 'simple-statistics';
import { UsageError } from '../../engine/errors.ts';
import { FINISHED, hasTimedSteps, notePartialLine, readRows, type ParsedRow } from '../runner/csv-store.ts';
import { pathsIn, readSamples, RESULTS_CSV } from '../runner/results-folder.ts';
import { mannWhitneyU } from './mann-whitney.ts';
import { timingMode } from '../training/record.ts';

export interface RunData {
  path: string;
  rows: Map<string, ParsedRow>;
  samples(cell: string): number[] | undefined;
}

/** A run's rows by cell and its step times, from its results.csv or the folder that holds one. */
export function openRunForCompare(path: string): RunData {
  if (!existsSync(path)) throw new UsageError(`no such results file or folder: ${path}`);
  const csvPath = statSync(path).isDirectory() ? pathsIn(path).csv : path;
  if (!existsSync(csvPath)) throw new UsageError(`${path} holds no ${RESULTS_CSV}`);
  const rows = new Map<string, ParsedRow>();
  for (const r of readRows(csvPath, notePartialLine(csvPath))) rows.set(String(r.cell), r);
  if (!rows.size) throw new UsageError(`${csvPath} holds no finished cell yet`);
  const dir = dirname(csvPath);
  return {
    path: csvPath,
    rows,
    samples(cell) {
      const xs = readSamples(dir, cell)?.step_ms;
      return xs?.length ? xs : undefined;
    },
  };
}

export type CompareVerdict =
  | 'regression' | 'failed' | 'improvement' | 'same' | 'not significant' | 'timing differs' | 'no samples' | 'missing' | 'new' | 'fixed' | 'not run';

export interface CellComparison {
  cell: string;
  verdict: CompareVerdict;
  baseStatus: string;
  newStatus: string;
  baseMs: number | null;
  newMs: number | null;
  ratio: number | null;
  p: number | null;
}

export interface CompareOptions {
  factor: number;
  alpha: number;
}

/** Too few samples for the U test to ever reach a small alpha. */
const MIN_SAMPLES = 8;

export function compareCell(cell: string, base: RunData, neu: RunData, o: CompareOptions): CellComparison {
  const b = base.rows.get(cell);
  const n = neu.rows.get(cell);
  const out: CellComparison = {
    cell, verdict: 'same', baseStatus: String(b?.status ?? '—'), newStatus: String(n?.status ?? '—'),
    baseMs: null, newMs: null, ratio: null, p: null,
  };
  if (!n) return { ...out, verdict: 'missing' };
  if (!b) return { ...out, verdict: 'new' };
  const bRan = FINISHED.has(out.baseStatus);
  const nRan = FINISHED.has(out.newStatus);
  const bs = hasTimedSteps(b) ? base.samples(cell) : undefined;
  const ns = hasTimedSteps(n) ? neu.samples(cell) : undefined;
  if (hasTimedSteps(b) && hasTimedSteps(n)) {
    out.baseMs = bs ? median(bs) : (b.step_ms_median as number | null);
    out.newMs = ns ? median(ns) : (n.step_ms_median as number | null);
    if (out.baseMs && out.newMs) out.ratio = out.newMs / out.baseMs;
  }
  if (bRan && !nRan) return { ...out, verdict: 'failed' };
  if (!bRan && nRan) return { ...out, verdict: 'fixed' };
  if (!hasTimedSteps(b) || !hasTimedSteps(n)) return { ...out, verdict: 'not run' };
  if (b.timing && n.timing && timingMode(String(b.timing)) !== timingMode(String(n.timing))) return { ...out, verdict: 'timing differs' };
  if (!bs || !ns || bs.length < MIN_SAMPLES || ns.length < MIN_SAMPLES || out.ratio === null) return { ...out, verdict: 'no samples' };
  out.p = mannWhitneyU(ns, bs).p;
  const significant = out.p < o.alpha;
  if (out.ratio > o.factor) out.verdict = significant ? 'regression' : 'not significant';
  else if (out.ratio < 1 / o.factor) out.verdict = significant ? 'improvement' : 'not significant';
  return out;
}

export function compareRuns(base: RunData, neu: RunData, o: CompareOptions): CellComparison[] {
  const cells = [...new Set([...base.rows.keys(), ...neu.rows.keys()])];
  if (!cells.some((c) => base.rows.has(c) && neu.rows.has(c))) {
    throw new UsageError(`${base.path} and ${neu.path} have no cell in common`);
  }
  return cells.map((c) => compareCell(c, base, neu, o));
}

export const isRegression = (c: CellComparison): boolean => c.verdict === 'regression' || c.verdict === 'failed';

/** What fails the gate: a regression, or a cell the base cannot check. */
export const failsGate = (c: CellComparison): boolean => isRegression(c) || c.verdict === 'timing differs';

const ORDER: CompareVerdict[] = ['regression', 'failed', 'improvement', 'not significant', 'same', 'timing differs', 'no samples', 'fixed', 'not run', 'missing', 'new'];

export function formatTable(cs: CellComparison[], o: CompareOptions): string {
  const f = (x: number | null, d: number) => (x === null ? '—' : x.toFixed(d));
  const fp = (x: number | null) => (x === null ? '—' : x < 1e-9 ? '<1e-9' : x < 1e-4 ? x.toExponential(1) : x.toFixed(4));
  const rows = [...cs]
    .sort((a, b) => ORDER.indexOf(a.verdict) - ORDER.indexOf(b.verdict) || a.cell.localeCompare(b.cell))
    .map((c) => [c.verdict, `${f(c.baseMs, 2)}`, `${f(c.newMs, 2)}`, f(c.ratio, 3), fp(c.p), `${c.baseStatus}→${c.newStatus}`, c.cell]);
  const head = ['verdict', 'base ms', 'new ms', 'ratio', 'p', 'status', 'cell'];
  const all = [head, ...rows];
  const w = head.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((v, i) => (i === r.length - 1 ? v : v.padEnd(w[i]))).join('  ');
  const n = cs.filter(isRegression).length;
  const differs = cs.filter((c) => c.verdict === 'timing differs').length;
  return [
    line(head),
    ...rows.map(line),
    '',
    `${n} regression${n === 1 ? '' : 's'} (median step time × > ${o.factor} and Mann–Whitney p < ${o.alpha}, or a cell that stopped running) among ${cs.length} cells`,
    ...(differs ? [`${differs} cell${differs === 1 ? '' : 's'} timed differently from the base (one step in flight or not), so not checked: time both alike`] : []),
  ].join('\n');
}
