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
 * since it leaves the cell unchecked (re-record the base). So do a base cell the new run lacks
 * ('missing'), and a slowdown past the factor that the test cannot judge ('too few samples': a side
 * without samples, or too few for even a complete separation to reach alpha): a gate must not pass
 * what it did not check.
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
  | 'regression' | 'failed' | 'improvement' | 'same' | 'not significant' | 'timing differs' | 'too few samples' | 'no samples' | 'missing' | 'new' | 'fixed' | 'not run';

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

/** The smallest two-sided p the U test can give for samples of these sizes: theirs completely apart. */
function smallestP(n1: number, n2: number): number {
  return mannWhitneyU(Array.from({ length: n1 }, (_, i) => n2 + i), Array.from({ length: n2 }, (_, i) => i)).p;
}

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
  if (out.ratio === null) return { ...out, verdict: 'no samples' };
  // Past the factor but beyond the test's reach: unchecked, so it fails the gate (before, it passed as 'no samples').
  if (!bs || !ns || smallestP(ns.length, bs.length) >= o.alpha) return { ...out, verdict: out.ratio > o.factor ? 'too few samples' : 'no samples' };
  const test = mannWhitneyU(ns, bs);
  out.p = test.p;
  // The direction is the test's as well as the medians' (U above its mean: the new steps are the slower).
  const significant = (up: boolean) => out.p! < o.alpha && (test.z > 0) === up;
  if (out.ratio > o.factor) out.verdict = significant(true) ? 'regression' : 'not significant';
  else if (out.ratio < 1 / o.factor) out.verdict = significant(false) ? 'improvement' : 'not significant';
  return out;
}

export function compareRuns(base: RunData, neu: RunData, o: CompareOptions): CellComparison[] {
  const cells = [...new Set([...base.rows.keys(), ...neu.rows.keys()])];
  if (!cells.some((c) => base.rows.has(c) && neu.rows.has(c))) {
    throw new UsageError(`${base.path} and ${neu.path} have no cell in common (a cell is its PDE, d, estimator, R, network, points, steps, backend and seed): nothing to compare`);
  }
  return cells.map((c) => compareCell(c, base, neu, o));
}

export const isRegression = (c: CellComparison): boolean => c.verdict === 'regression' || c.verdict === 'failed';

/** Cells the gate could not check: timed otherwise than the base, absent from the new run, or a slowdown the test cannot judge. */
const UNCHECKED: ReadonlySet<CompareVerdict> = new Set(['timing differs', 'missing', 'too few samples']);

/** What fails the gate: a regression, or a cell it could not check. */
export const failsGate = (c: CellComparison): boolean => isRegression(c) || UNCHECKED.has(c.verdict);

const ORDER: CompareVerdict[] = ['regression', 'failed', 'too few samples', 'missing', 'timing differs', 'improvement', 'not significant', 'same', 'no samples', 'fixed', 'not run', 'new'];

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
  const count = (v: CompareVerdict) => cs.filter((c) => c.verdict === v).length;
  const unchecked: [number, string][] = [
    [count('timing differs'), 'timed differently from the base (one step in flight or not): time both alike'],
    [count('missing'), 'in the base but not in the new run'],
    [count('too few samples'), `slower than × ${o.factor} with too few step samples (or none) for the test to reach p < ${o.alpha}: run more steps`],
  ];
  return [
    line(head),
    ...rows.map(line),
    '',
    'ratio = new / base median ms per step (> 1: slower); p: two-sided Mann–Whitney U of the per-step samples, per cell',
    `${n} regression${n === 1 ? '' : 's'} (median step time × > ${o.factor} and Mann–Whitney p < ${o.alpha}, or a cell that stopped running) among ${cs.length} cells`,
    ...unchecked.filter(([k]) => k > 0).map(([k, why]) => `${k} cell${k === 1 ? '' : 's'} not checked, failing the gate: ${why}`),
  ].join('\n');
}
