/**
 * `stde-bench profile`: one training step's loss and parameter gradient under tf.profile, by kernel
 * (points drawn before the profiled region), or with --whole-step the whole step as `train` runs it.
 * Where a backend's step is slow, this says whether kernels (which ones) or the time between them
 * (JS dispatch, tape bookkeeping, the driver) take it: the wall time, the kernels' summed time and
 * share, and per kernel name its count and time.
 */
import type { Command } from 'commander';
import { initEngine } from '../../engine/backend.ts';
import { resolveRun, type RunRequest } from '../../benchmarks/training/run-config.ts';
import { assertFits, assertFitsDevice } from '../../benchmarks/training/memory-plan.ts';
import { kernelSplit, type KernelSplit } from '../../benchmarks/targets/measure.ts';
import { int, refuseIgnored, runChoiceOptions, runRequestOf, type RunChoiceOpts } from '../options.ts';

type Opts = RunChoiceOpts & {
  seed: number;
  top: number;
  json?: boolean;
  wholeStep?: boolean;
  calls: number;
};

const ms = (x: number | null) => (x === null ? 'n/a' : x.toFixed(2));

function table(s: KernelSplit, top: number): string {
  const rows = s.by_kernel.slice(0, top);
  const width = Math.max(6, ...rows.map((r) => r.kernel.length));
  const lines = rows.map((r) => `  ${r.kernel.padEnd(width)}  ${String(r.count).padStart(5)}  ${ms(r.ms).padStart(9)}`);
  const rest = s.by_kernel.slice(top);
  if (rest.length) lines.push(`  (${rest.length} more kernel names, ${rest.reduce((a, r) => a + r.count, 0)} kernels)`);
  return [`  ${'kernel'.padEnd(width)}  ${'count'.padStart(5)}  ${'ms'.padStart(9)}`, ...lines].join('\n');
}

export function register(program: Command): void {
  const cmd = runChoiceOptions(
    program.command('profile').description('profile one training step (loss + parameter gradient, or with --whole-step all of it) by kernel: wall time, kernel time, count per kernel'),
  )
    .option('--seed <s>', 'run seed', int('seed', 0), 0)
    .option('--top <n>', 'kernel names to list', int('top', 1), 25)
    .option('--whole-step', "profile a whole training step as train runs it (drawing points and source, loss, gradient, Adam; every micro-batch); default: the loss and gradient of one (micro-)batch on points drawn beforehand")
    .option('--calls <n>', 'profiled calls, after 4 warm-up calls; the one with the median kernel share is shown', int('calls', 1), 5)
    .option('--json', 'print one JSON record instead of the table')
    .action(async (o: Opts) => {
      refuseIgnored(cmd, '--json', ['--top'], 'the record lists every kernel name (its counts add up to the kernels)');
      const req: RunRequest = { ...runRequestOf(o), seed: o.seed };
      const cfg = resolveRun({ ...req, testPoints: 0 }); // every usage error before the engine starts
      assertFits(cfg, o.backend);
      const info = await initEngine(o.backend);
      assertFitsDevice(cfg, o.backend); // and one larger than the device can bind
      const scope = o.wholeStep ? 'step' : 'loss-and-gradient';
      const s = await kernelSplit(req, scope, o.calls);
      const head = { pde: cfg.pde.name, dim: cfg.d, estimator: cfg.method, R: cfg.R, points: cfg.points, backend: info.name, adapter: info.adapter ?? null, scope };
      if (o.json) {
        process.stdout.write(JSON.stringify({ ...head, ...s }) + '\n');
        return;
      }
      process.stdout.write(
        `${cfg.pde.name} d=${cfg.d} ${cfg.method} R=${cfg.R} N=${cfg.points} on ${info.name}${info.adapter ? ` (${info.adapter})` : ''}\n` +
          `${o.wholeStep ? `one training step (points, source, loss, gradient, Adam${s.micro_batches > 1 ? `; ${s.micro_batches} micro-batches` : ''})` : `one loss + parameter gradient${s.micro_batches > 1 ? ` (one of ${s.micro_batches} micro-batches, ${cfg.points / s.micro_batches} points)` : ''}`}: ${s.wall_ms.toFixed(1)} ms wall, ${s.kernels} kernels${s.dispatches === null ? '' : ` (${s.dispatches} GPU dispatches)`}, ${s.kernel_ms.toFixed(1)} ms in kernels (share ${s.kernel_share.toFixed(2)}${s.kernel_shares.length > 1 ? `, the median of ${s.kernel_shares.length} calls: ${s.kernel_shares.map((x) => x.toFixed(2)).join(', ')}` : ''})\n` +
          table(s, o.top) +
          '\n',
      );
    });
}
