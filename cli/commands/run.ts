/** `stde-bench run`: run a benchmark matrix (a preset, a matrix file or lists) into a results folder. */
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BACKENDS, DEFAULT_BACKEND } from '../../engine/backend.ts';
import { backendOption, int, intList, nameList, nonEmptyPath, oneOf, refuseIgnored } from '../options.ts';
import { checkOutDir, makeOutDir, stampedOutDir } from '../out-dir.ts';
import { expandMatrix } from '../../benchmarks/runner/matrix.ts';
import { resolveMatrix, type MatrixFlags } from '../../benchmarks/runner/load-matrix.ts';
import { assertOutDirTakes, cellsWithRows, defaultMemoryCapMb, runMatrix } from '../../benchmarks/runner/run-matrix.ts';
import { RESULTS_CSV } from '../../benchmarks/runner/results-folder.ts';
import { validateCells } from '../../benchmarks/runner/validate-cells.ts';
import { UsageError } from '../../engine/errors.ts';
import { PRESETS } from '../../benchmarks/presets/index.ts';

interface Opts extends MatrixFlags {
  backend?: string;
  out?: string;
  timeout?: number;
  memoryMb?: number;
  resume?: boolean;
  dryRun?: boolean;
  listPresets?: boolean;
}

export function register(program: Command): void {
  const cmd = program
    .command('run')
    .description('run a benchmark matrix: one train child process per cell, one CSV row per cell')
    .option('--preset <name>', `a preset (${PRESETS.map((p) => p.name).join(', ')})`)
    .option('--matrix <file>', 'a JSON matrix file (same shape as a preset: {name, groups: [...]})')
    .option('--pdes <list>', 'comma-separated PDE ids', nameList('pdes'))
    .option('--dims <list>', 'comma-separated dimensions', intList('dims', 1))
    .option('--estimators <list>', 'comma-separated estimator names', nameList('estimators'))
    .option('--R <list>', "comma-separated R values (0 = all dimensions); default: each PDE's, as train", intList('R', 0))
    .option('--seeds <list>', 'comma-separated seeds', intList('seeds', 0))
    .option('--steps <n>', 'training steps per cell', int('steps', 1))
    .option('--width <h>', 'hidden width', int('width', 1))
    .option('--depth <L>', 'number of linear layers (1 = the linear model, as train)', int('depth', 1))
    .option('--block <B>', 'weight-sharing block size', int('block', 1))
    .option('--points <n>', 'residual points per step', int('points', 1))
    .option('--eval-every <k>', 'evaluate every k steps', int('eval-every', 1))
    .option('--test-points <m>', 'test-set size (0 = no evaluation)', int('test-points', 0));
  backendOption(cmd, `the preset's, else ${DEFAULT_BACKEND}`) // parsed here; the matrix may name its own
    .option('--out <dir>', 'results folder (default results/<matrix name>-YYYYMMDD-HHMMSS)', nonEmptyPath('out'))
    .option('--timeout <s>', "per-cell time limit in seconds (default: the preset's, else 3600)", int('timeout', 1))
    .option('--memory-mb <mb>', 'per-cell resident-memory cap in MB (default 80 % of RAM)', int('memory-mb', 1))
    .option('--resume', 'finish an interrupted run in --out: run only the cells without a row')
    .option('--dry-run', 'list the cells and exit')
    .option('--list-presets', 'list the presets and exit')
    .action(async (o: Opts) => {
      if (o.listPresets) {
        // `--list-presets --preset X` would otherwise list them all and drop X without a word.
        refuseIgnored(cmd, '--list-presets', cmd.options.map((opt) => opt.long!).filter((f) => f !== '--list-presets'), 'it lists the presets and exits');
        for (const p of PRESETS) {
          const cells = expandMatrix(p, p.backend ?? DEFAULT_BACKEND);
          const steps = cells.reduce((a, c) => a + c.steps, 0);
          process.stdout.write(`${p.name.padEnd(15)} ${String(cells.length).padStart(4)} cells ${String(steps).padStart(9)} steps  ${p.description}\n`);
        }
        return;
      }
      // Without --out the run gets a new dated folder: there would be nothing to resume.
      if (o.resume && o.out === undefined) throw new UsageError('--resume continues the run in --out: name its folder');
      const matrix = resolveMatrix(o);
      const backend = oneOf('backend', BACKENDS)(o.backend ?? matrix.backend ?? DEFAULT_BACKEND);
      const cells = expandMatrix(matrix, backend);
      validateCells(cells);
      // --dry-run refuses the --out the run would refuse: a file in the way, a folder that takes no file.
      if (o.dryRun && o.out !== undefined) checkOutDir(o.out);
      // An existing --out is checked before anything starts, and as the run would check it under --dry-run.
      if (o.out !== undefined && existsSync(o.out)) assertOutDirTakes({ outDir: o.out, resume: Boolean(o.resume), matrix, cells, backend });
      if (o.dryRun) {
        // What the run would run: with --resume, the cells without a row yet.
        const done = o.resume ? cellsWithRows(o.out!) : new Set<string>();
        const todo = cells.filter((c) => !done.has(c.id));
        for (const c of todo) process.stdout.write(`${c.id}\n`);
        const skipped = cells.length - todo.length;
        process.stdout.write(`${todo.length} cells, ${todo.reduce((a, c) => a + c.steps, 0)} steps${skipped ? ` (${skipped} of ${cells.length} already done in ${o.out})` : ''}\n`);
        return;
      }
      const outDir = o.out ?? stampedOutDir(matrix.name);
      makeOutDir(outDir);
      const summary = await runMatrix({
        matrix,
        cells,
        outDir,
        backend,
        timeoutS: o.timeout ?? matrix.timeoutS ?? 3600,
        memoryMb: o.memoryMb ?? defaultMemoryCapMb(),
        resume: Boolean(o.resume),
        argv: process.argv.slice(2),
      });
      const counts = new Map<string, number>();
      for (const r of summary.rows) counts.set(String(r.status), (counts.get(String(r.status)) ?? 0) + 1);
      const what = [...counts].map(([s, n]) => `${n} ${s}`).join(', ') || 'nothing new';
      process.stdout.write(`${summary.ran} cells run (${what}), ${summary.skipped} already done → ${join(outDir, RESULTS_CSV)}\n`);
    });
}
