/**
 * A benchmark matrix: groups of PDEs × dims × estimators × R × seeds (× network variants), each group
 * with its own training settings, expanded into cells. One cell = one `train` child process = one CSV
 * row. Presets (benchmarks/presets/) and `run --matrix FILE.json` both use this shape.
 */
import { refuseUnknownKeys, UsageError } from '../../engine/errors.ts';
import { cellId, type CellKey } from './cell-id.ts';
import { drawsNothing } from '../training/run-config.ts';

export interface MatrixGroup {
  pdes: string[];
  dims: number[];
  estimators: string[];
  /** Every estimator of the group runs with every R (0 = all dimensions, exact). */
  R: number[];
  seeds: number[];
  steps: number;
  /** Network variants (cross product). Unset: train's default for the PDE. */
  widths?: number[];
  depths?: number[];
  blocks?: number[];
  /** Residual points per step, evaluation cadence and test-set size (unset: train's defaults). */
  points?: number;
  evalEvery?: number;
  testPoints?: number;
  /** Extra `train` arguments, e.g. ['--source', 'published-incorrect']. */
  args?: string[];
  /** Label recorded in the CSV's `variant` column and in the cell id (say what `args` change). */
  variant?: string;
  /** Per-group caps, overriding the run's --timeout / --memory-mb. */
  timeoutS?: number;
  memoryMb?: number;
}

export interface Matrix {
  name: string;
  description: string;
  /** The paper table this reproduces (matches results/reference `table`), if any. */
  table?: string;
  /** The backend the preset is meant for; `--backend` overrides. */
  backend?: string;
  /** Default per-cell time limit for this matrix, seconds. */
  timeoutS?: number;
  groups: MatrixGroup[];
}

/** One cell: what identifies it (CellKey), plus how to run it. */
export interface Cell extends CellKey {
  id: string;
  evalEvery?: number;
  testPoints?: number;
  args: string[];
  variant: string;
  timeoutS?: number;
  memoryMb?: number;
}

const opt = <T>(xs: T[] | undefined): (T | undefined)[] => (xs && xs.length ? xs : [undefined]);

/** Every key a group may have (a Record, so that a key added to MatrixGroup must be added here). */
const GROUP_KEYS: Record<keyof MatrixGroup, true> = {
  pdes: true, dims: true, estimators: true, R: true, seeds: true, steps: true, widths: true, depths: true, blocks: true,
  points: true, evalEvery: true, testPoints: true, args: true, variant: true, timeoutS: true, memoryMb: true,
};

/** A value as a JSON file spells it: "10" (a string) must not read as the number 10. */
export function shown(x: unknown): string {
  if (x === undefined) return 'nothing';
  if (typeof x === 'number') return String(x);
  return typeof x === 'string' ? `${JSON.stringify(x)} (a string)` : (JSON.stringify(x) ?? String(x));
}

function checkInt(where: string, key: string, x: unknown, min: number): void {
  if (typeof x !== 'number' || !Number.isSafeInteger(x) || x < min) throw new UsageError(`matrix ${where}: '${key}' must hold integers ≥ ${min}, got ${shown(x)}`);
}

/**
 * A list of integers ≥ min; `required`: it must be there. Where it is, it is not empty: [] would give no
 * cells for a required key and the default for an optional one, neither of which it says.
 */
function checkInts(where: string, key: string, xs: unknown, min: number, required: boolean): void {
  if (xs === undefined && !required) return;
  if (!Array.isArray(xs) || xs.length === 0) throw new UsageError(`matrix ${where}: '${key}' must be a non-empty list, got ${shown(xs)}`);
  for (const x of xs) checkInt(where, key, x, min);
}

/** Shape checks for a group (a --matrix file is user input: every problem is a one-line UsageError). */
function validateGroup(g: MatrixGroup, where: string): void {
  if (typeof g !== 'object' || g === null || Array.isArray(g)) throw new UsageError(`matrix ${where}: a group must be an object {pdes, dims, …}, got ${shown(g)}`);
  refuseUnknownKeys(g, Object.keys(GROUP_KEYS), `matrix ${where}`);
  for (const k of ['pdes', 'estimators'] as const) {
    if (!Array.isArray(g[k]) || g[k].length === 0) throw new UsageError(`matrix ${where}: '${k}' must be a non-empty list, got ${shown(g[k])}`);
    if (g[k].some((s) => typeof s !== 'string' || !/^[A-Za-z0-9._-]+$/.test(s))) throw new UsageError(`matrix ${where}: bad name in '${k}'`);
  }
  checkInts(where, 'dims', g.dims, 1, true);
  checkInts(where, 'R', g.R, 0, true);
  checkInts(where, 'seeds', g.seeds, 0, true);
  checkInt(where, 'steps', g.steps, 1);
  checkInts(where, 'widths', g.widths, 1, false);
  checkInts(where, 'depths', g.depths, 1, false); // as train: depth 1 is the linear model
  checkInts(where, 'blocks', g.blocks, 1, false);
  for (const k of ['points', 'evalEvery', 'timeoutS', 'memoryMb'] as const) {
    if (g[k] !== undefined) checkInt(where, k, g[k], 1);
  }
  if (g.testPoints !== undefined) checkInt(where, 'testPoints', g.testPoints, 0); // 0: no evaluation, as train takes it
  if (g.args !== undefined && (!Array.isArray(g.args) || g.args.some((a) => typeof a !== 'string'))) {
    throw new UsageError(`matrix ${where}: 'args' must be a list of strings`);
  }
  if (g.variant !== undefined && typeof g.variant !== 'string') throw new UsageError(`matrix ${where}: 'variant' must be a string`);
}

/** Every group's shape (before filters or expansion read the groups). */
export function validateGroups(m: Matrix): void {
  if (!Array.isArray(m.groups) || m.groups.length === 0) throw new UsageError(`matrix '${m.name}' has no groups`);
  m.groups.forEach((g, gi) => validateGroup(g, `${m.name} group ${gi + 1}`));
}

/**
 * Expands every group into cells, in a stable order (group, pde, dim, estimator, R, net, seed), so that
 * a resumed run walks the same list. Impossible cells (R > d, block not dividing d) are usage errors:
 * they are mistakes in the matrix, not results.
 */
export function expandMatrix(m: Matrix, backend: string): Cell[] {
  validateGroups(m);
  const cells: Cell[] = [];
  const seen = new Map<string, Cell>();
  m.groups.forEach((g) => {
    for (const pde of g.pdes)
      for (const dim of g.dims)
        for (const estimator of g.estimators)
          for (const R of g.R.map((r) => (drawsNothing(estimator) ? 0 : r))) // a group's R lists are its samplers'
            for (const width of opt(g.widths))
              for (const depth of opt(g.depths))
                for (const block of opt(g.blocks))
                  for (const seed of g.seeds) {
                    if (R > dim) throw new UsageError(`matrix ${m.name}: R = ${R} exceeds d = ${dim} (${pde}, ${estimator})`);
                    if (block !== undefined && dim % block !== 0) throw new UsageError(`matrix ${m.name}: block ${block} does not divide d = ${dim}`);
                    const base = {
                      pde, dim, estimator, R, seed, steps: g.steps, backend, width, depth, block,
                      points: g.points, evalEvery: g.evalEvery, testPoints: g.testPoints,
                      args: g.args ?? [], variant: g.variant ?? '', timeoutS: g.timeoutS, memoryMb: g.memoryMb,
                    };
                    const cell: Cell = { id: cellId(base), ...base };
                    const prev = seen.get(cell.id);
                    if (prev) {
                      if (JSON.stringify(trainArgs(prev)) !== JSON.stringify(trainArgs(cell))) {
                        throw new UsageError(`matrix ${m.name}: two different cells share the id ${cell.id}; give them different 'variant' labels`);
                      }
                      continue; // the same cell listed twice runs once
                    }
                    seen.set(cell.id, cell);
                    cells.push(cell);
                  }
  });
  return cells;
}

/** The `train` command line of a cell (after `stde-bench train`). */
export function trainArgs(c: Cell): string[] {
  const a = ['--pde', c.pde, '--dim', String(c.dim), '--estimator', c.estimator, '--R', String(c.R),
    '--seed', String(c.seed), '--steps', String(c.steps), '--backend', c.backend];
  const put = (flag: string, v: number | undefined) => v !== undefined && a.push(flag, String(v));
  put('--width', c.width);
  put('--depth', c.depth);
  put('--block', c.block);
  put('--points', c.points);
  put('--eval-every', c.evalEvery);
  put('--test-points', c.testPoints);
  return [...a, ...c.args, '--json'];
}
