/**
 * Runs a matrix cell by cell into DIR: results.csv (one row per finished cell, durable), samples/
 * (per-step times and evaluations of each cell), machine.json and run.json. With `resume`, cells that
 * already have a row are skipped, so a killed run finishes with every row exactly once.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import os from 'node:os';
import { UsageError } from '../../engine/errors.ts';
import { appendRow, assertResultsCsv, readRows, repairTail, upgradeColumns, type Row } from './csv-store.ts';
import { BIN, executeCell } from './execute-cell.ts';
import { slotOf } from './cell-id.ts';
import { describeMachine, writeMachineJson } from './machine.ts';
import { createProgress } from './progress.ts';
import { expandMatrix, trainArgs, type Cell, type Matrix } from './matrix.ts';
import { isCommandLine } from './load-matrix.ts';
import { commandLineOf, lockFolder } from './folder-lock.ts';
import { assertHoldsNone, MEASUREMENT_FILES, pathsIn, readRun, RESULTS_CSV, writeRun, writeSamples, type RunJson } from './results-folder.ts';

export interface RunOptions {
  matrix: Matrix;
  cells: Cell[];
  outDir: string;
  backend: string;
  /** Per-cell limits unless a group sets its own. */
  timeoutS: number;
  memoryMb: number;
  resume: boolean;
  argv?: string[];
  log?: (line: string) => void;
}

export interface RunSummary {
  ran: number;
  skipped: number;
  rows: Row[];
}

/** 80 % of physical memory: past that a cell would push the machine into swap. */
export const defaultMemoryCapMb = (): number => Math.floor((os.totalmem() / 2 ** 20) * 0.8);

/** The runner's own bookkeeping, where a torn file (a killed runner's) is as good as none. */
function readJson<T>(path: string): T | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** A train child left running by a runner that was killed (kill -9 cannot take its children along). */
function killStaleChild(runningPath: string, log: (s: string) => void): void {
  const stale = readJson<{ pid: number; cell: string }>(runningPath);
  rmSync(runningPath, { force: true });
  if (!stale?.pid) return;
  const cmdline = commandLineOf(stale.pid);
  if (cmdline === undefined) return; // gone (or no /proc): nothing to do
  if (cmdline.includes(BIN) && cmdline.includes('train')) {
    try {
      process.kill(stale.pid, 'SIGKILL');
      log(`killed the stale train process ${stale.pid} of cell ${stale.cell}`);
    } catch {
      /* already exited */
    }
  }
}

/** A stored matrix's cells, or none where it no longer expands (a PDE or option since renamed). */
function expandOrNone(m: Matrix, backend: string): Cell[] {
  try {
    return expandMatrix(m, backend);
  } catch {
    return [];
  }
}

/** A cell's train arguments, in a comparable form. */
const argsOf = (c: Cell): string => trainArgs(c).join(' ');

/** A set of cells as their train arguments, in a comparable form. */
const cellSet = (args: Iterable<string>): string => [...args].sort().join('\n');

/**
 * --resume continues the run a folder holds, never another, whose rows, title and paper table would
 * describe two runs as one. Same preset or file name (whole, a part, or a file with groups added), same
 * backend; a command-line matrix (all are named 'custom') with the same cells; and no cell beside a
 * stored one of its slot (same id but for steps and seed) with other steps, nor of the same id with other
 * settings than the stored matrix gave it. `stored`: the ids of the folder's cells (planned or with a row).
 */
export function refuseOtherRun(outDir: string, prev: RunJson, stored: Iterable<string>, o: Pick<RunOptions, 'matrix' | 'cells' | 'backend'>): void {
  const prevName = prev.matrix?.name;
  if (prevName !== undefined && prevName !== o.matrix.name) {
    throw new UsageError(`${outDir} holds a run of matrix '${prevName}', and --resume continues that one (the same preset or file, or a part of it); run '${o.matrix.name}' into another --out`);
  }
  if (prev.backend !== undefined && prev.backend !== o.backend) {
    // machine.json describes one backend's device and flags.
    throw new UsageError(`${outDir} holds a run on ${prev.backend}, and --resume continues that one (--backend ${prev.backend}); run ${o.backend} into another --out`);
  }
  // The stored matrix's cells, by id, as they ran (the cells given are o.matrix's).
  const before = new Map((prev.matrix ? expandOrNone(prev.matrix, o.backend) : []).map((c) => [c.id, argsOf(c)]));
  if (prev.matrix && (isCommandLine(prev.matrix) || isCommandLine(o.matrix)) && cellSet(before.values()) !== cellSet(o.cells.map(argsOf))) {
    const argv = prev.invocations?.at(-1)?.argv;
    throw new UsageError(`${outDir} holds a run of other cells, and --resume continues that one${argv ? ` (stde-bench ${argv.join(' ')})` : ''}; run these cells into another --out`);
  }
  // A cell of the same id must be the same run: the id leaves out test points, evaluation and PDE options.
  for (const c of o.cells) {
    const was = before.get(c.id);
    if (was !== undefined && was !== argsOf(c)) {
      throw new UsageError(`${outDir} holds ${c.id} run as \`train ${was}\`, and --resume continues that run: this matrix runs it as \`train ${argsOf(c)}\`; resume with the settings it ran with, or run into another --out`);
    }
  }
  const bySlot = new Map<string, { id: string; steps: number }[]>();
  for (const id of stored) {
    const s = slotOf(id);
    if (s) bySlot.set(s.slot, [...(bySlot.get(s.slot) ?? []), { id, steps: s.steps }]);
  }
  for (const c of o.cells) {
    const clash = bySlot.get(slotOf(c.id)?.slot ?? c.id)?.find((h) => h.steps !== c.steps);
    if (clash) {
      throw new UsageError(`${outDir} holds ${clash.id} (${clash.steps} steps), and --resume continues that run: ${c.id} would add the same cell at ${c.steps} steps; resume with the steps it ran with, or run into another --out`);
    }
  }
}

/**
 * What `run` checks of its --out before touching it (`--dry-run` too): a finished run is never written
 * over, and --resume continues only the run the folder holds (as far as run.json tells; runMatrix
 * also checks the cells of results.csv's rows against it once its torn last line is dropped), into a
 * results.csv that is one. Returns run.json's content;
 * a corrupt run.json is refused, since --resume could not check the run it holds.
 */
export function assertOutDirTakes(o: Pick<RunOptions, 'outDir' | 'resume' | 'matrix' | 'cells' | 'backend'>): RunJson | undefined {
  const paths = pathsIn(o.outDir);
  if (!o.resume && existsSync(paths.csv)) throw new UsageError(`${o.outDir} already holds ${RESULTS_CSV}; use --resume to finish it or choose another --out`);
  if (!o.resume) assertHoldsNone(o.outDir, MEASUREMENT_FILES, 'use --resume to finish a run there, or choose another --out');
  if (existsSync(paths.csv) && !statSync(paths.csv).isFile()) throw new UsageError(`${paths.csv} is not a file`);
  if (existsSync(paths.samples) && !statSync(paths.samples).isDirectory()) throw new UsageError(`${paths.samples} is not a folder`);
  const prevRun = readRun(o.outDir);
  if (o.resume && prevRun && (prevRun.matrix?.name === undefined || prevRun.backend === undefined)) {
    throw new UsageError(`${paths.run} names no ${prevRun.backend === undefined ? 'backend' : 'matrix'}, so --resume cannot tell which run it would continue; choose another --out`);
  }
  if (o.resume && !prevRun) {
    // Without run.json there is no run to continue: whatever else is there belongs to another measurement.
    assertHoldsNone(o.outDir, MEASUREMENT_FILES, 'it has no run.json, so --resume cannot tell which run it would continue; choose another --out');
  }
  if (o.resume && prevRun) refuseOtherRun(o.outDir, prevRun, prevRun.cells ?? [], o);
  if (o.resume && existsSync(paths.csv)) assertResultsCsv(paths.csv); // before its torn last line is dropped
  if (o.resume && existsSync(paths.machine)) {
    const machine = readJson<unknown>(paths.machine);
    if (machine === null || typeof machine !== 'object' || Array.isArray(machine)) {
      const what = machine === undefined ? 'malformed JSON' : 'not a JSON object';
      throw new UsageError(`${paths.machine} is ${what}: --resume would replace the description of the machine the run's rows came from; repair or remove it`);
    }
  }
  return prevRun;
}

/**
 * The cells that already have a row in outDir's results.csv: what --resume skips. A torn last line is
 * no row (run --resume drops it); this reads without changing the file (--dry-run asks it too).
 */
export function cellsWithRows(outDir: string): Set<string> {
  const { csv } = pathsIn(outDir);
  return new Set(existsSync(csv) ? readRows(csv, () => {}).map((r) => String(r.cell)) : []);
}

export async function runMatrix(o: RunOptions): Promise<RunSummary> {
  const release = lockFolder(o.outDir);
  try {
    return await runLocked(o);
  } finally {
    release();
  }
}

async function runLocked(o: RunOptions): Promise<RunSummary> {
  const log = o.log ?? ((s: string) => process.stderr.write(`${s}\n`));
  const { csv, samples: samplesDir, machine: machinePath } = pathsIn(o.outDir);
  const runningPath = join(o.outDir, '.running.json');

  const prevRun = assertOutDirTakes(o); // before anything in the folder is touched
  const prevCells = prevRun?.cells ?? [];
  if (existsSync(csv)) {
    const dropped = repairTail(csv);
    if (dropped) log(`dropped a partial last line (${dropped} bytes) from ${csv}`);
    const added = upgradeColumns(csv);
    if (added.length) log(`${csv} was written before the columns ${added.join(', ')}: rewritten with them, every row kept`);
  }
  const done = cellsWithRows(o.outDir);
  const stored = o.resume ? [...new Set([...prevCells, ...done])] : [];
  // A run.json written before `cells` was the union lists only the last invocation's: its rows tell the rest.
  if (o.resume && prevRun && stored.length > prevCells.length) refuseOtherRun(o.outDir, prevRun, stored, o);
  if (o.resume) killStaleChild(runningPath, log);

  // run.json first: it names the run, so a start that fails after it (an engine that cannot start,
  // a kill) leaves a folder --resume continues, not one it must refuse as another measurement's.
  writeRun(o.outDir, {
    ...prevRun, // fields this version does not write stay
    matrix: o.matrix,
    backend: o.backend,
    cells: [...new Set([...stored, ...o.cells.map((c) => c.id)])],
    timeoutS: o.timeoutS,
    memoryMb: o.memoryMb,
    invocations: [...(prevRun?.invocations ?? []), { date: new Date().toISOString(), argv: o.argv ?? [] }],
  });
  const machine = await describeMachine(o.backend);
  const previous = readJson<Record<string, unknown>>(machinePath); // well-formed where it exists (assertOutDirTakes)
  if (previous) {
    const resumes = Array.isArray(previous.resumes) ? previous.resumes : [];
    resumes.push({ date: machine.date, hostname: machine.hostname, git: machine.git, cpu: machine.cpu.model });
    writeMachineJson(machinePath, { ...previous, resumes });
  } else writeMachineJson(machinePath, machine);
  mkdirSync(samplesDir, { recursive: true });

  const todo = o.cells.filter((c) => !done.has(c.id));
  const skipped = o.cells.length - todo.length;
  if (skipped) log(`resuming: ${skipped} of ${o.cells.length} cells already have a row`);
  const progress = createProgress(o.cells.length, skipped);
  const rows: Row[] = [];
  try {
    for (const cell of todo) {
      progress.start(cell.id);
      const limits = { timeoutS: cell.timeoutS ?? o.timeoutS, memoryMb: cell.memoryMb ?? o.memoryMb };
      const result = await executeCell(cell, limits, ({ pid }) =>
        writeFileSync(runningPath, JSON.stringify({ pid, cell: cell.id })),
      );
      if (result.samples) writeSamples(o.outDir, result.samples);
      appendRow(csv, result.row);
      rmSync(runningPath, { force: true });
      rows.push(result.row);
      progress.done(cell.id, result.row.status as string, Number(result.row.wall_s));
    }
  } finally {
    progress.stop();
  }
  return { ran: todo.length, skipped, rows };
}
