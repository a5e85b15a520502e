/**
 * Where a run's matrix comes from: a preset, a JSON matrix file (same shape as a preset: name,
 * description, groups[]), or the command line's lists (one group). With a preset or file,
 * --pdes/--dims/--estimators/--R select a subset of its cells (each value must be in the matrix),
 * and --steps/--seeds override its own.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { refuseUnknownKeys, UsageError } from '../../engine/errors.ts';
import { getPreset } from '../presets/index.ts';
import { getPde } from '../pdes/registry.ts';
import { shown, validateGroups, type Matrix, type MatrixGroup } from './matrix.ts';

export interface MatrixFlags {
  preset?: string;
  matrix?: string;
  pdes?: string[];
  dims?: number[];
  estimators?: string[];
  R?: number[];
  seeds?: number[];
  steps?: number;
  width?: number;
  depth?: number;
  block?: number;
  points?: number;
  evalEvery?: number;
  testPoints?: number;
}

/** Command-line lists that select from a preset's or file's cells. */
const FILTERS = ['pdes', 'dims', 'estimators', 'R'] as const;
/** Command-line settings that only a command-line matrix takes. */
const MATRIX_ONLY = ['width', 'depth', 'block', 'points', 'evalEvery', 'testPoints'] as const;
const flagName = (k: string) => (k === 'R' ? '--R' : `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);

/** The keys a matrix file may have at its top level. */
const FILE_KEYS: readonly (keyof Matrix)[] = ['name', 'description', 'table', 'backend', 'timeoutS', 'groups'];

/** A command-line matrix: every one has this name, so --resume tells two apart by their cells. */
const COMMAND_LINE = { name: 'custom', description: 'matrix from the command line' } as const;
export const isCommandLine = (m: Pick<Matrix, 'name' | 'description'>): boolean =>
  m.name === COMMAND_LINE.name && m.description === COMMAND_LINE.description;

function loadMatrixFile(path: string): Matrix {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new UsageError(`--matrix ${path}: ${(e as Error).message.split('\n')[0]}`);
  }
  const m = raw as Partial<Matrix>;
  if (!m || typeof m !== 'object' || !Array.isArray(m.groups)) throw new UsageError(`--matrix ${path}: expected an object with a 'groups' list`);
  refuseUnknownKeys(m, FILE_KEYS, `--matrix ${path}`);
  // A value of the wrong type would be dropped for a default as silently as a misspelt key.
  for (const k of ['name', 'description', 'table', 'backend'] as const) {
    if (m[k] !== undefined && typeof m[k] !== 'string') throw new UsageError(`--matrix ${path}: '${k}' must be a string, got ${shown(m[k])}`);
  }
  if (m.timeoutS !== undefined && !(Number.isSafeInteger(m.timeoutS) && m.timeoutS >= 1)) {
    throw new UsageError(`--matrix ${path}: 'timeoutS' must be an integer ≥ 1, got ${shown(m.timeoutS)}`);
  }
  const matrix: Matrix = {
    name: m.name ?? basename(path, '.json'),
    description: m.description ?? `matrix file ${path}`,
    table: m.table,
    backend: m.backend,
    timeoutS: m.timeoutS,
    groups: m.groups as MatrixGroup[],
  };
  validateGroups(matrix); // before --pdes/--dims/… read the groups
  return matrix;
}

/** The cells whose PDE, d, estimator and R are in the given lists (a part of a table). */
function withFilters(m: Matrix, f: MatrixFlags): Matrix {
  const active = FILTERS.filter((k) => f[k] !== undefined);
  if (!active.length) return m;
  for (const k of active) {
    const present = new Set<string | number>(m.groups.flatMap((g): (string | number)[] => g[k]));
    const absent = (f[k] as (string | number)[]).filter((v) => !present.has(v));
    if (absent.length) throw new UsageError(`${flagName(k)} ${absent.join(',')}: not in ${m.name} (it has ${[...present].join(', ')})`);
  }
  const keep = <T>(values: T[], wanted: T[] | undefined) => (wanted === undefined ? values : values.filter((v) => wanted.includes(v)));
  const groups = m.groups
    .map((g) => ({ ...g, pdes: keep(g.pdes, f.pdes), dims: keep(g.dims, f.dims), estimators: keep(g.estimators, f.estimators), R: keep(g.R, f.R) }))
    .filter((g) => g.pdes.length && g.dims.length && g.estimators.length && g.R.length);
  if (!groups.length) throw new UsageError(`${active.map(flagName).join(', ')}: no group of ${m.name} has such cells together`);
  return { ...m, groups };
}

/** --steps and --seeds override a preset's or file's (a shorter or single-seed version of a table). */
function withOverrides(m: Matrix, f: MatrixFlags): Matrix {
  if (f.steps === undefined && f.seeds === undefined) return m;
  return {
    ...m,
    groups: m.groups.map((g) => ({ ...g, ...(f.steps !== undefined && { steps: f.steps }), ...(f.seeds !== undefined && { seeds: f.seeds }) })),
  };
}

export function resolveMatrix(f: MatrixFlags): Matrix {
  if (f.preset !== undefined && f.matrix !== undefined) throw new UsageError('give one of --preset or --matrix (not both)');
  // The command line's list parsers (nameList, intList) refuse an empty list already; flags built in
  // code get the same answer here rather than a matrix without groups.
  for (const k of [...FILTERS, 'seeds'] as const) {
    if (f[k]?.length === 0) throw new UsageError(`${flagName(k)}: empty list (give one or more comma-separated values)`);
  }
  if (f.preset !== undefined || f.matrix !== undefined) {
    const extra = MATRIX_ONLY.filter((k) => f[k] !== undefined);
    if (extra.length) throw new UsageError(`${flagName(extra[0])} cannot be combined with --preset/--matrix (--pdes/--dims/--estimators/--R select from them, --steps/--seeds override)`);
    return withOverrides(withFilters(f.preset !== undefined ? getPreset(f.preset) : loadMatrixFile(f.matrix as string), f), f);
  }
  if (f.pdes === undefined) throw new UsageError('say what to run: --preset NAME, --matrix FILE.json, or --pdes … --dims … --estimators …');
  for (const k of ['dims', 'estimators'] as const) if (f[k] === undefined) throw new UsageError(`--${k} is required with --pdes`);
  const group: Omit<MatrixGroup, 'R'> = {
    pdes: f.pdes,
    dims: f.dims as number[],
    estimators: f.estimators as string[],
    seeds: f.seeds ?? [0],
    steps: f.steps ?? 1000,
    ...(f.width !== undefined && { widths: [f.width] }),
    ...(f.depth !== undefined && { depths: [f.depth] }),
    ...(f.block !== undefined && { blocks: [f.block] }),
    ...(f.points !== undefined && { points: f.points }),
    ...(f.evalEvery !== undefined && { evalEvery: f.evalEvery }),
    ...(f.testPoints !== undefined && { testPoints: f.testPoints }),
  };
  // Without --R each PDE and d takes the PDE's own R, as train does: one group per pair.
  const groups = f.R ? [{ ...group, R: f.R }] : f.pdes.flatMap((pde) => group.dims.map((d) => ({ ...group, pdes: [pde], dims: [d], R: [getPde(pde).defaults(d, {}).R] })));
  return { ...COMMAND_LINE, groups };
}
