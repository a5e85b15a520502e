/**
 * The layout of a results folder, written by `run` (run-matrix.ts) and `ab`'s pooling, read by
 * `compare` and `report`: DIR/results.csv (its rows: csv-store.ts), DIR/run.json, DIR/machine.json and
 * DIR/samples/<cell>.json. Its JSON files are read strictly: a malformed or wrongly-typed one is a
 * one-line UsageError naming the file and the field, never a stack trace or a check silently skipped.
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../../engine/errors.ts';
import type { Matrix } from './matrix.ts';

export const RESULTS_CSV = 'results.csv';

/** Where each part of the results folder `dir` lies. */
export const pathsIn = (dir: string) => ({
  csv: join(dir, RESULTS_CSV),
  run: join(dir, 'run.json'),
  machine: join(dir, 'machine.json'),
  samples: join(dir, 'samples'),
});

const samplesPath = (dir: string, cell: string): string => join(pathsIn(dir).samples, `${cell}.json`);

/** What the targets command or a run writes: a folder holding any of it holds a measurement (the first found is named). */
export const MEASUREMENT_FILES = ['targets.csv', RESULTS_CSV, 'run.json', 'machine.json', 'samples'] as const;

/** Refuses a folder that already holds one of `names` (a file, or a folder with something in it): a measurement is never written over. */
export function assertHoldsNone(dir: string, names: readonly string[], advice: string): void {
  for (const name of names) {
    const p = join(dir, name);
    if (existsSync(p) && (!statSync(p).isDirectory() || readdirSync(p).length > 0)) throw new UsageError(`${dir} already holds ${name} (a measurement: kept); ${advice}`);
  }
}

/** run.json: what the folder's run was (every invocation of `run` into it, with --resume). */
export interface RunJson {
  matrix?: Matrix;
  backend?: string;
  /** Every cell any invocation planned (the union). */
  cells?: string[];
  timeoutS?: number;
  memoryMb?: number;
  invocations?: { date: string; argv: string[] }[];
}

export interface Eval {
  step: number;
  rel_l2?: number | null;
  rel_l1?: number | null;
}

/** samples/<cell>.json: a cell's per-step times and evaluations (a pooled one also counts its rounds). */
export interface Samples {
  cell: string;
  step_ms: number[];
  evals: Eval[];
  rounds?: number;
}

type JsonObject = Record<string, unknown>;
type Kind = 'string' | 'number' | 'finite number' | 'object' | 'array';

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
const typeName = (v: unknown): string =>
  v === undefined ? 'absent' : v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object'
    : typeof v === 'number' && !Number.isFinite(v) ? String(v) : `a ${typeof v}`;
const isKind = (v: unknown, kind: Kind): boolean =>
  kind === 'object' ? isObject(v) : kind === 'array' ? Array.isArray(v) : kind === 'finite number' ? Number.isFinite(v) : typeof v === kind;

/** Refuses a value `v` of another kind, naming the file and the field. */
function check(path: string, v: unknown, kind: Kind, name: string): void {
  if (!isKind(v, kind)) throw new UsageError(`${path}: ${name} is ${typeName(v)}, not ${kind === 'object' || kind === 'array' ? 'an' : 'a'} ${kind}`);
}

/** Refuses `obj[key]` of another kind (absent or null: fine). */
function expect(path: string, obj: JsonObject, key: string, kind: Kind, name = key): void {
  if (obj[key] !== undefined && obj[key] !== null) check(path, obj[key], kind, name);
}

/** The elements of the array `obj[key]`, each of kind `each` ([] when absent or null). */
function expectEach(path: string, obj: JsonObject, key: string, each: Kind, name = key): unknown[] {
  expect(path, obj, key, 'array', name);
  const xs = (obj[key] ?? []) as unknown[];
  xs.forEach((x, i) => check(path, x, each, `${name}[${i}]`));
  return xs;
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

/**
 * run.json (undefined: none), every field `run --resume` and the report use checked: a wrong one would
 * skip --resume's checks or crash it, and print as [object Object] in the report.
 */
export function readRun(dir: string): RunJson | undefined {
  const path = pathsIn(dir).run;
  const run = readObject(path);
  if (!run) return undefined;
  expect(path, run, 'matrix', 'object');
  expect(path, run, 'backend', 'string');
  expect(path, run, 'timeoutS', 'number');
  expect(path, run, 'memoryMb', 'number');
  if (isObject(run.matrix)) for (const k of ['name', 'description', 'table']) expect(path, run.matrix, k, 'string', `matrix.${k}`);
  expectEach(path, run, 'cells', 'string');
  expectEach(path, run, 'invocations', 'object').forEach((inv, i) => {
    expect(path, inv as JsonObject, 'date', 'string', `invocations[${i}].date`);
    expectEach(path, inv as JsonObject, 'argv', 'string', `invocations[${i}].argv`);
  });
  // A null field is an absent one: `!== undefined` and `??` must not tell them apart.
  return Object.fromEntries(Object.entries(run).filter(([, v]) => v !== null)) as RunJson;
}

export function writeRun(dir: string, run: RunJson): void {
  writeFileSync(pathsIn(dir).run, JSON.stringify(run, null, 2));
}

/** machine.json as it is (undefined: none); machine.ts describes its fields. */
export const readMachine = (dir: string): JsonObject | undefined => readObject(pathsIn(dir).machine);

/** A cell's samples (undefined: none), its step times and evaluations checked; other fields kept as they are. */
export function readSamples(dir: string, cell: string): Samples | undefined {
  const path = samplesPath(dir, cell);
  const s = readObject(path);
  if (!s) return undefined;
  expect(path, s, 'cell', 'string');
  // A run writes both (empty for a cell that timed nothing): without them the file is not a cell's samples.
  for (const k of ['step_ms', 'evals']) check(path, s[k], 'array', k);
  if (s.cell !== undefined && s.cell !== null && s.cell !== cell) throw new UsageError(`${path}: holds the samples of cell '${s.cell}', not of ${cell}`);
  const stepMs = expectEach(path, s, 'step_ms', 'finite number') as number[];
  const negative = stepMs.findIndex((t) => t < 0);
  if (negative >= 0) throw new UsageError(`${path}: step_ms[${negative}] is ${stepMs[negative]}, a negative time`);
  const evals = expectEach(path, s, 'evals', 'object') as Eval[];
  evals.forEach((e, i) => {
    check(path, e.step, 'number', `evals[${i}].step`);
    for (const k of ['rel_l2', 'rel_l1']) expect(path, e as unknown as JsonObject, k, 'number', `evals[${i}].${k}`);
  });
  return { ...s, cell: (s.cell as string | null) ?? cell, step_ms: stepMs, evals };
}

/** Writes samples/<cell>.json (the samples folder must exist). */
export function writeSamples(dir: string, samples: Samples): void {
  writeFileSync(samplesPath(dir, samples.cell), JSON.stringify(samples));
}
