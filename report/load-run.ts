/** Everything a results folder holds, read back for the report: rows, machine, run settings, evaluations. */
import { existsSync, readFileSync, statSync, type Stats } from 'node:fs';
import { basename, dirname, join } from 'node:path';
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

type JsonObject = Record<string, unknown>;

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
const typeName = (v: unknown): string =>
  v === undefined ? 'absent' : v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : `a ${typeof v}`;

function statOf(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/** A JSON file's top-level object; undefined when there is no such file. */
function readObject(path: string): JsonObject | undefined {
  if (!existsSync(path)) return undefined;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${path}: malformed JSON (${(e as Error).message.split('\n')[0]})`);
  }
  if (!isObject(v)) throw new UsageError(`${path}: expected a JSON object, got ${typeName(v)}`);
  return v;
}

/** Refuses `obj[key]` of another type than `type` (absent or null: fine), naming the file and the field. */
function expect(path: string, obj: JsonObject, key: string, type: 'string' | 'number' | 'object', name = key): void {
  const v = obj[key];
  if (v === undefined || v === null) return;
  if (type === 'object' ? !isObject(v) : typeof v !== type) throw new UsageError(`${path}: ${name} is ${typeName(v)}, not ${type === 'object' ? 'an object' : `a ${type}`}`);
}

/** run.json, with the type of every field the report prints checked (a wrong one would print as [object Object]). */
function readRunInfo(path: string): RunInfo | undefined {
  const run = readObject(path);
  if (!run) return undefined;
  expect(path, run, 'matrix', 'object');
  expect(path, run, 'backend', 'string');
  expect(path, run, 'timeoutS', 'number');
  expect(path, run, 'memoryMb', 'number');
  if (isObject(run.matrix)) for (const k of ['name', 'description', 'table']) expect(path, run.matrix, k, 'string', `matrix.${k}`);
  return run as RunInfo;
}

/** A cell's evaluations: each an object with a numeric step and, where measured, numeric errors. */
function readEvals(path: string): Samples['evals'] {
  const evals = readObject(path)?.evals;
  if (evals === undefined) return [];
  if (!Array.isArray(evals)) throw new UsageError(`${path}: evals is ${typeName(evals)}, not an array`);
  evals.forEach((e: unknown, i) => {
    if (!isObject(e)) throw new UsageError(`${path}: evals[${i}] is ${typeName(e)}, not an object`);
    if (typeof e.step !== 'number') throw new UsageError(`${path}: evals[${i}].step is ${typeName(e.step)}, not a number`);
    for (const k of ['rel_l2', 'rel_l1']) expect(path, e, k, 'number', `evals[${i}].${k}`);
  });
  return evals as Samples['evals'];
}

export function loadRun(dir: string): LoadedRun {
  if (dir === '') throw new UsageError('no results folder given (an empty path): report takes the folder `stde-bench run --out` wrote');
  const st = statOf(dir);
  if (!st) throw new UsageError(`${dir}: no such folder (report takes the folder \`stde-bench run --out\` wrote)`);
  if (!st.isDirectory()) {
    if (basename(dir) === RESULTS_CSV) throw new UsageError(`${dir} is a file: report takes the results folder that holds it (stde-bench report ${dirname(dir)})`);
    throw new UsageError(`${dir} is a file, not a folder: report takes the results folder that holds ${RESULTS_CSV}`);
  }
  const csv = join(dir, RESULTS_CSV);
  const csvStat = statOf(csv);
  if (!csvStat) throw new UsageError(`${dir} holds no ${RESULTS_CSV} (run \`stde-bench run --out ${dir}\` first)`);
  if (csvStat.isDirectory()) throw new UsageError(`${csv} is a folder, not a results CSV`);
  const rows = readRows(csv);
  // A run killed before its first cell ended: an empty report would look like a result.
  if (!rows.length) throw new UsageError(`${csv} holds no finished cell yet (nothing to report)`);
  return {
    dir,
    rows,
    machine: readObject(join(dir, 'machine.json')),
    run: readRunInfo(join(dir, 'run.json')),
    evals: (cell) => readEvals(join(dir, 'samples', `${cell}.json`)),
  };
}
