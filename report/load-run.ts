/** Everything a results folder holds, read back for the report: rows, machine, run settings, evaluations. */
import { statSync, type Stats } from 'node:fs';
import { basename, dirname } from 'node:path';
import { UsageError } from '../engine/errors.ts';
import { notePartialLine, readRows, type ParsedRow } from '../benchmarks/runner/csv-store.ts';
import { pathsIn, readMachine, readRun, readSamples, RESULTS_CSV, type Eval, type RunJson } from '../benchmarks/runner/results-folder.ts';

export interface LoadedRun {
  dir: string;
  rows: ParsedRow[];
  machine?: Record<string, unknown>;
  run?: RunJson;
  evals(cell: string): Eval[];
}

function statOf(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

export function readResultsFolder(dir: string): LoadedRun {
  if (dir === '') throw new UsageError('no results folder given (an empty path): report takes the folder `stde-bench run --out` wrote');
  const st = statOf(dir);
  if (!st) throw new UsageError(`${dir}: no such folder (report takes the folder \`stde-bench run --out\` wrote)`);
  if (!st.isDirectory()) {
    if (basename(dir) === RESULTS_CSV) throw new UsageError(`${dir} is a file: report takes the results folder that holds it (stde-bench report ${dirname(dir)})`);
    throw new UsageError(`${dir} is a file, not a folder: report takes the results folder that holds ${RESULTS_CSV}`);
  }
  const csv = pathsIn(dir).csv;
  const csvStat = statOf(csv);
  if (!csvStat) throw new UsageError(`${dir} holds no ${RESULTS_CSV} (run \`stde-bench run --out ${dir}\` first)`);
  if (csvStat.isDirectory()) throw new UsageError(`${csv} is a folder, not a results CSV`);
  const rows = readRows(csv, notePartialLine(csv)); // a run in progress, or killed mid-row
  // A run killed before its first cell ended: an empty report would look like a result.
  if (!rows.length) throw new UsageError(`${csv} holds no finished cell yet (nothing to report)`);
  // Each samples file read (and checked) once: the error charts ask for L2, then maybe for L1.
  const evals = new Map<string, Eval[]>();
  return {
    dir,
    rows,
    machine: readMachine(dir),
    run: readRun(dir),
    evals(cell) {
      if (!evals.has(cell)) evals.set(cell, readSamples(dir, cell)?.evals ?? []);
      return evals.get(cell)!;
    },
  };
}
