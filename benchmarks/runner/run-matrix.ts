/**
 * Runs a matrix cell by cell into DIR: results.csv (one row per finished cell, durable), samples/
 * (per-step times and evaluations of each cell), machine.json and run.json. With `resume`, cells that
 * already have a row are skipped, so a killed run finishes with every row exactly once.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import os from 'node:os';
import { UsageError } from '../../engine/errors.ts';
import { appendRow, readRows, repairTail, upgradeColumns, type Row } from './csv-store.ts';
import { BIN, executeCell } from './execute-cell.ts';
import { describeMachine } from './machine.ts';
import { createProgress } from './progress.ts';
import type { Cell, Matrix } from './matrix.ts';

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

export const RESULTS_CSV = 'results.csv';

/** 80 % of physical memory: past that a cell would push the machine into swap. */
export const defaultMemoryCapMb = (): number => Math.floor((os.totalmem() / 2 ** 20) * 0.8);

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
  let cmdline = '';
  try {
    cmdline = readFileSync(`/proc/${stale.pid}/cmdline`, 'utf8');
  } catch {
    return; // gone (or no /proc): nothing to do
  }
  if (cmdline.includes(BIN) && cmdline.includes('train')) {
    try {
      process.kill(stale.pid, 'SIGKILL');
      log(`killed the stale train process ${stale.pid} of cell ${stale.cell}`);
    } catch {
      /* already exited */
    }
  }
}

export async function runMatrix(o: RunOptions): Promise<RunSummary> {
  const log = o.log ?? ((s: string) => process.stderr.write(`${s}\n`));
  const csv = join(o.outDir, RESULTS_CSV);
  const samplesDir = join(o.outDir, 'samples');
  const runningPath = join(o.outDir, '.running.json');

  const runPath = join(o.outDir, 'run.json');
  const prevRun = readJson<{ matrix?: { name?: string }; invocations?: unknown[] }>(runPath);
  const prevName = prevRun?.matrix?.name;
  if (o.resume && prevName !== undefined && prevName !== o.matrix.name) {
    // Its rows, title and paper table would describe two matrices as one.
    throw new UsageError(`${o.outDir} holds a run of matrix '${prevName}', and --resume continues that one (the same preset or file, or a part of it); run '${o.matrix.name}' into another --out`);
  }
  const done = new Set<string>();
  if (existsSync(csv)) {
    if (!o.resume) throw new UsageError(`${o.outDir} already holds ${RESULTS_CSV}; use --resume to finish it or choose another --out`);
    const dropped = repairTail(csv);
    if (dropped) log(`dropped a partial last line (${dropped} bytes) from ${csv}`);
    const added = upgradeColumns(csv);
    if (added.length) log(`${csv} was written before the columns ${added.join(', ')}: rewritten with them, every row kept`);
    for (const r of readRows(csv)) done.add(String(r.cell));
  }
  mkdirSync(samplesDir, { recursive: true });
  if (o.resume) killStaleChild(runningPath, log);

  const machinePath = join(o.outDir, 'machine.json');
  const machine = await describeMachine(o.backend);
  const previous = readJson<Record<string, unknown>>(machinePath);
  if (previous) {
    const resumes = Array.isArray(previous.resumes) ? previous.resumes : [];
    resumes.push({ date: machine.date, hostname: machine.hostname, git: machine.git, cpu: machine.cpu.model });
    writeFileSync(machinePath, JSON.stringify({ ...previous, resumes }, null, 2));
  } else writeFileSync(machinePath, JSON.stringify(machine, null, 2));

  writeFileSync(
    runPath,
    JSON.stringify(
      {
        matrix: o.matrix,
        backend: o.backend,
        cells: o.cells.map((c) => c.id),
        timeoutS: o.timeoutS,
        memoryMb: o.memoryMb,
        invocations: [...(prevRun?.invocations ?? []), { date: new Date().toISOString(), argv: o.argv ?? [] }],
      },
      null,
      2,
    ),
  );

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
      if (result.samples) writeFileSync(join(samplesDir, `${cell.id}.json`), JSON.stringify(result.samples));
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
