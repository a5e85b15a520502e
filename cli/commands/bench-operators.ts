/**
 * `stde-bench bench-operators`: the operator micro-benchmark. Every (estimator, d) cell runs in its
 * own child process (execa) with a timeout; an out-of-memory abort or a timeout becomes a row with
 * that status and the table goes on. Prints a table and writes a CSV.
 */
import type { Command } from 'commander';
import { closeSync, createWriteStream, existsSync, openSync, rmSync, statSync } from 'node:fs';
import { makeOutDir, stampedOutDir } from '../out-dir.ts';
import { describeMachine, writeMachineJson } from '../../benchmarks/runner/machine.ts';
import { dirname, join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { checkDraw, ESTIMATORS, getEstimator } from '../../operators/registry.ts';
import { initEngine } from '../../engine/backend.ts';
import { backendOption, filePath, int, intList, nameList } from '../options.ts';
import { runOperatorCell, type OperatorCell } from '../../benchmarks/micro/operator-cell.ts';
import { UsageError } from '../../engine/errors.ts';
import { runChild } from '../../benchmarks/runner/classify.ts';
import { BIN } from '../../benchmarks/runner/execute-cell.ts';

const COLUMNS = ['estimator', 'dim', 'R', 'points', 'width', 'depth', 'backend', 'status', 'mean_ms', 'p50_ms', 'p99_ms', 'samples', 'it_per_s', 'kernels_per_call', 'kernel_ms_per_call', 'peak_tensor_mb', 'message'] as const;
type Row = Partial<Record<(typeof COLUMNS)[number], string | number | null>>;

interface Opts {
  dims: number[];
  R: number;
  estimators?: string[];
  points: number;
  width: number;
  depth: number;
  timeMs: number;
  timeout: number;
  seed: number;
  out?: string;
  backend: string;
  cell?: string;
}

/** Whether a folder is at `path` (a file on the way to it: no, and makeOutDir says so). */
function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** The refusal of an output file that exists: a measurement, kept. */
const exists = (path: string) => new UsageError(`${path} already exists (a measurement: kept); choose another --out`);

/** Makes one of the run's files, failing where it exists: of two runs given one --out at once, the second stops here. */
function claim(path: string): number {
  try {
    return openSync(path, 'wx');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw code === 'EEXIST' ? exists(path) : new UsageError(`--out ${path}: cannot make the file (${code})`);
  }
}

export function register(program: Command): void {
  const cmd = program
    .command('bench-operators')
    .description('time one operator evaluation + parameter gradient for every estimator (tinybench)')
    .option('--dims <list>', 'dimensions', intList('dims', 1), [100, 1000, 10000])
    .option('--R <r>', 'sampled dimensions / probes for stochastic estimators (0 = all d, exact; probe estimators need R > 0)', int('R', 0), 16)
    .option('--estimators <list>', 'comma-separated estimator names (default: all)', nameList('estimators'))
    .option('--points <n>', 'collocation points', int('points', 1), 100)
    .option('--width <w>', 'MLP width', int('width', 1), 128)
    .option('--depth <L>', 'MLP depth', int('depth', 1), 4)
    .option('--time-ms <ms>', 'tinybench time budget per cell', int('time-ms', 1), 2000)
    .option('--timeout <s>', 'seconds before a cell is stopped and reported as timeout', int('timeout', 1), 300)
    .option('--seed <s>', 'random seed', int('seed', 0), 0)
    .option('--out <csv>', 'CSV output path, a new file; its machine description goes beside it as <name>.machine.json (default: results/bench-operators-YYYYMMDD-HHMMSS/operators.csv)', filePath('out'));
  backendOption(cmd)
    .option('--cell <json>', '(internal) run one cell in this process and print its JSON')
    .action(async (o: Opts) => {
      if (o.cell) {
        let cell: OperatorCell;
        try {
          cell = JSON.parse(o.cell) as OperatorCell;
        } catch (e) {
          throw new UsageError(`--cell: malformed JSON (${(e as Error).message})`);
        }
        if (typeof cell !== 'object' || cell === null || Array.isArray(cell)) throw new UsageError(`--cell: expected a JSON object, got ${o.cell}`);
        await initEngine(o.backend);
        const result = await runOperatorCell(cell);
        process.stdout.write(JSON.stringify(result) + '\n');
        return;
      }
      const names = o.estimators ?? ESTIMATORS.map((e) => e.name);
      for (const n of names) checkDraw(n, getEstimator(n), o.R, undefined); // unknown names, and probes at R = 0, fail before anything runs
      // Only the estimators that sample take R (the Forward Laplacian runs all d at any R).
      const sampler = names.find((n) => getEstimator(n).sampling !== 'exact');
      for (const d of o.dims) if (sampler && o.R > d) throw new UsageError(`R = ${o.R} exceeds the dimension d = ${d} (${sampler} samples R of them)`);
      const out = o.out ?? join(stampedOutDir('bench-operators'), 'operators.csv');
      const machinePath = out.replace(/(\.csv)?$/, '.machine.json'); // operators.csv → operators.machine.json: one per CSV
      if (isFolder(out)) throw new UsageError(`--out must name a file, and ${out} is a folder`);
      for (const f of [out, machinePath]) if (existsSync(f)) throw exists(f); // before the engine starts; claim() is the race-proof check
      const machine = await describeMachine(o.backend); // a backend that cannot start fails before anything is written
      makeOutDir(dirname(out), `--out ${out}`);
      // Both files claimed before either is written: `--out x` and `--out x.csv` share x.machine.json.
      const csvFd = claim(out);
      let machineFd: number;
      try {
        machineFd = claim(machinePath);
      } catch (e) {
        closeSync(csvFd);
        rmSync(out); // ours, and empty: no measurement is lost
        throw e;
      }
      writeMachineJson(machineFd, machine);
      const csv = createWriteStream(out, { fd: csvFd });
      csv.write(stringify([COLUMNS as unknown as string[]]));
      const rows: Row[] = [];
      for (const dim of o.dims) {
        for (const estimator of names) {
          const cell: OperatorCell = { estimator, dim, R: o.R, points: o.points, width: o.width, depth: o.depth, timeMs: o.timeMs, seed: o.seed };
          const row: Row = { estimator, dim, R: getEstimator(estimator).sampling === 'exact' ? 0 : o.R, points: o.points, width: o.width, depth: o.depth, backend: o.backend };
          process.stderr.write(`bench-operators: ${estimator} d=${dim} … `);
          const r = await runChild([BIN, 'bench-operators', '--backend', o.backend, '--cell', JSON.stringify(cell)], { timeoutS: o.timeout });
          if (r.ok) Object.assign(row, { status: 'ok', ...r.record, message: '' });
          else Object.assign(row, { status: r.status, message: r.message });
          process.stderr.write(`${row.status}${row.status === 'ok' ? ` ${Number(row.mean_ms).toFixed(2)} ms` : ''}\n`);
          csv.write(stringify([COLUMNS.map((c) => row[c] ?? '')]));
          rows.push(row);
        }
      }
      await new Promise((r) => csv.end(r));
      console.table(
        rows.map((r) => ({
          estimator: r.estimator,
          d: r.dim,
          status: r.status,
          'ms/call': typeof r.mean_ms === 'number' ? +r.mean_ms.toFixed(2) : '',
          'it/s': typeof r.it_per_s === 'number' ? +r.it_per_s.toFixed(1) : '',
          kernels: r.kernels_per_call ?? '',
          'peak MB': typeof r.peak_tensor_mb === 'number' ? +r.peak_tensor_mb.toFixed(1) : '',
        })),
      );
      process.stderr.write(`bench-operators: wrote ${out} and ${machinePath}\n`);
    });
}
