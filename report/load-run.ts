/** Everything a results folder holds, read back for the report: rows, machine, run settings, evaluations. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../engine/errors.ts';
import { readRows, type ParsedRow } from '../benchmarks/runner/csv-store.ts';
import { RESULTS_CSV } from '../benchmarks/runner/run-matrix.ts';
import type { Matrix } from '../benchmarks/runner/matrix.ts';
import type { Samples } from '../benchmarks/runner/execute-cell.ts';

export interface RunInfo {
  matrix?: Matrix;
  backend?: string;
  timeoutS?: number;
  memoryMb?: number;
  invocations?: { date: string; argv: string[] }[];
}

export interface LoadedRun {
  dir: string;
  rows: ParsedRow[];
  machine?: Record<string, unknown>;
  run?: RunInfo;
  evals(cell: string): Samples['evals'];
}

function json<T>(path: string): T | undefined {
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (e) {
    throw new UsageError(`${path}: malformed JSON (${(e as Error).message.split('\n')[0]})`);
  }
}

export function loadRun(dir: string): LoadedRun {
  const csv = join(dir, RESULTS_CSV);
  if (!existsSync(csv)) throw new UsageError(`${dir} holds no ${RESULTS_CSV} (run \`stde-bench run --out ${dir}\` first)`);
  return {
    dir,
    rows: readRows(csv),
    machine: json(join(dir, 'machine.json')),
    run: json(join(dir, 'run.json')),
    evals(cell) {
      const s = json<Samples>(join(dir, 'samples', `${cell}.json`));
      return Array.isArray(s?.evals) ? s.evals : [];
    },
  };
}
