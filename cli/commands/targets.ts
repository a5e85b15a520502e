/**
 * `stde-bench targets`: measures the scale-and-speed targets (issue 6) in one run on one machine and
 * prints each ratio with its threshold. Every measurement is a child process (`train --json`, or
 * `profile --json` for the kernel share), run one after the other: a method that runs out of the
 * WASM heap is a result (`oom`), not the end of the run. Writes DIR/targets.csv and DIR/machine.json.
 */
import type { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import { makeOutDir, stampedOutDir } from '../out-dir.ts';
import { assertHoldsNone, MEASUREMENT_FILES } from '../../benchmarks/runner/results-folder.ts';
import { lockFolder } from '../../benchmarks/runner/folder-lock.ts';
import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { median } from 'simple-statistics';
import { describeMachine, writeMachineJson } from '../../benchmarks/runner/machine.ts';
import type { KernelSplit } from '../../benchmarks/targets/measure.ts';
import { memoryRow, MEMORY_THRESHOLD_GB, type TargetRow } from '../../benchmarks/targets/memory-target.ts';
import { runChild } from '../../benchmarks/runner/classify.ts';
import { BIN } from '../../benchmarks/runner/execute-cell.ts';
import { backendOption, int, intList, nonEmptyPath, refuseIgnored } from '../options.ts';

interface Opts {
  backend: string;
  steps: number;
  floorDims: number[];
  floorRounds: number;
  speedDims: number[];
  memory: boolean;
  memorySteps: number;
  timeout: number;
  out?: string;
}

const PDE = 'allen-cahn-two-body';

/** The median of the measured values; a failure if any run failed (its status). */
function medianOf(values: (number | string)[]): number | string {
  const failed = values.find((v) => typeof v === 'string');
  return failed ?? median(values as number[]);
}

export function register(program: Command): void {
  const cmd = backendOption(
    program
      .command('targets')
      .description('measure the scale-and-speed targets: floor ratio, speed-up over nested, kernel share, memory at 1e6'),
  )
    .option('--steps <n>', 'training steps per speed measurement (the first ones are warm-up)', int('steps', 5), 30)
    .option('--floor-dims <list>', 'dimensions of the floor-ratio target (each ≥ 16: R = 16)', intList('floor-dims', 16), [10000, 100000])
    .option('--floor-rounds <n>', 'rounds of none / stde-sparse / stde-collapsed, taken in turn; the ratio is the median of the rounds\' ratios', int('floor-rounds', 1), 3)
    .option('--speed-dims <list>', 'dimensions of the speed-up target (1e4 is the target; smaller ones show the trend)', intList('speed-dims', 16), [1000, 10000])
    .option('--no-memory', 'skip the d = 1e6 / 5e6 memory runs')
    .option('--memory-steps <n>', 'training steps of each memory run', int('memory-steps', 1), 3)
    .option('--timeout <s>', 'seconds per measurement', int('timeout', 1), 1800)
    .option('--out <dir>', "output folder, new or holding no measurement (no targets.csv, nor a run's machine.json, results.csv, run.json or samples; default: results/targets-YYYYMMDD-HHMMSS)", nonEmptyPath('out'))
    .action(async (o: Opts) => {
      refuseIgnored(cmd, '--no-memory', ['--memory-steps'], 'it skips the memory runs');
      const out = o.out ?? stampedOutDir('targets');
      const csv = join(out, 'targets.csv');
      // A run's folder too: its machine.json describes its own measurement.
      assertHoldsNone(out, MEASUREMENT_FILES, 'choose another --out');
      const machine = await describeMachine(o.backend); // a backend that cannot start fails before anything is written
      makeOutDir(out);
      const release = lockFolder(out); // one writer: a run or another targets there
      assertHoldsNone(out, MEASUREMENT_FILES, 'choose another --out'); // again, now that no other can start writing
      writeMachineJson(join(out, 'machine.json'), machine);
      const rows: TargetRow[] = [];
      const cols = ['target', 'config', 'value', 'threshold', 'met', 'detail'] as const;
      const log = (r: TargetRow) => {
        rows.push(r);
        process.stderr.write(`targets: ${r.target} [${r.config}] = ${r.value} (${r.threshold}: ${r.met}) ${r.detail}\n`);
        writeFileSync(csv, stringify([cols as unknown as string[], ...rows.map((x) => cols.map((c) => x[c]))])); // each row as it comes: a stopped run keeps its rows
      };
      // Every measurement's run: R = 16 probes, N = 100 points (each row's config says so).
      const run = (estimator: string, dim: number) => ['--pde', PDE, '--dim', String(dim), '--estimator', estimator, '--R', '16', '--points', '100', '--backend', o.backend];
      const trainArgs = (estimator: string, dim: number, steps: number, extra: string[] = []) =>
        [BIN, 'train', ...run(estimator, dim), '--steps', String(steps), '--test-points', '0', '--json', ...extra];
      const stepMs = async (estimator: string, dim: number): Promise<number | string> => {
        const r = await runChild(trainArgs(estimator, dim, o.steps), { timeoutS: o.timeout });
        if (!r.ok) return r.status;
        // A run that ran out of memory part-way, or timed no step, measured no step time to compare.
        const ms = r.record.step_ms_median;
        return r.record.status !== 'oom' && typeof ms === 'number' ? ms : String(r.record.status);
      };
      const ratio = (a: number | string, b: number | string) => (typeof a === 'number' && typeof b === 'number' ? +(a / b).toFixed(3) : `${a} / ${b}`);
      const fmt = (name: string, v: number | string) => `${name} ${typeof v === 'number' ? `${v.toFixed(1)} ms` : v}`;

      // 1. Floor ratio: an STDE training step against the plain data-fit step, same model and points.
      //    stde-sparse is the paper's estimator; stde-collapsed gives the same estimate of the
      //    Laplacian with the second-order coefficient summed over directions at every layer.
      //    The three runs go in turn, round after round, and the ratio is the median of each round's:
      //    the machine's speed drifts by several per cent (at worst 20 %) over minutes, so runs of one
      //    round, seconds apart, compare more fairly than each method's median over all rounds, which
      //    may come from rounds of different speed.
      for (const dim of o.floorDims) {
        const names = ['none', 'stde-sparse', 'stde-collapsed'];
        const runs = new Map<string, (number | string)[]>(names.map((n) => [n, []]));
        for (let round = 0; round < o.floorRounds; round++) for (const name of names) runs.get(name)!.push(await stepMs(name, dim));
        const each = (n: string) => runs.get(n)!.map((v) => (typeof v === 'number' ? v.toFixed(1) : v)).join(' / ');
        for (const name of names.slice(1)) {
          const perRound = runs.get(name)!.map((t, i) => ratio(t, runs.get('none')![i]));
          const v = medianOf(perRound);
          const value = typeof v === 'number' ? +v.toFixed(3) : v;
          // What the value is comes first: with rounds, not the ratio of the two methods' medians.
          const detail =
            o.floorRounds > 1
              ? `median of ${o.floorRounds} rounds' ratios: ${perRound.join(' / ')}; median steps ${name} ${each(name)} ms, none ${each('none')} ms`
              : `${fmt(name, runs.get(name)![0])}, ${fmt('none', runs.get('none')![0])} per step (medians)`;
          log({ target: `floor ratio (${name})`, config: `d=${dim} R=16 N=100`, value, threshold: '≤ 1.3', met: String(typeof value === 'number' && value <= 1.3), detail });
        }
      }

      // 2. Speed-up over nested backprop, looped and batched, each also in its checkpointed form
      //    (operators/checkpoint.ts: same estimate, memory of one chunk), which still runs where the
      //    plain form's tape outgrows the heap.
      for (const dim of o.speedDims) {
        const stde = await stepMs('stde-sparse', dim);
        for (const [name, min] of [['nested', 10], ['nested-checkpointed', 10], ['nested-batched', 3], ['nested-batched-checkpointed', 3]] as const) {
          const t = await stepMs(name, dim);
          const v = ratio(t, stde);
          const gated = dim >= 10000;
          // A baseline that cannot run (oom) leaves the ratio unmeasured, not met.
          const met = typeof v === 'number' ? String(v >= min) : 'not measurable';
          log({ target: `speed-up over ${name}`, config: `d=${dim} R=16 N=100`, value: v, threshold: gated ? `≥ ${min}` : 'report', met: gated ? met : 'n/a', detail: `${fmt(name, t)}, ${fmt('stde-sparse', stde)} per step` });
        }
      }

      // 3. Kernel share of an STDE loss-and-gradient step, and the split at d = 100.
      for (const dim of [100, ...o.floorDims]) {
        const r = await runChild([BIN, 'profile', ...run('stde-sparse', dim), '--json'], { timeoutS: o.timeout });
        const gated = dim >= 10000;
        if (!r.ok) {
          log({ target: 'kernel share', config: `d=${dim} R=16 N=100`, value: r.status, threshold: gated ? '≥ 0.8' : 'report', met: 'false', detail: r.message });
          continue;
        }
        const s = r.record as unknown as KernelSplit;
        log({
          target: 'kernel share',
          config: `d=${dim} R=16 N=100`,
          value: +s.kernel_share.toFixed(3),
          threshold: gated ? '≥ 0.8' : 'report',
          met: gated ? String(s.kernel_share >= 0.8) : 'n/a',
          detail: `${s.kernels} kernels; ${s.kernel_ms.toFixed(1)} ms in kernels of ${s.wall_ms.toFixed(1)} ms (the median of ${s.kernel_shares.length} profiled loss+gradient calls, whose shares were ${s.kernel_shares.map((x) => x.toFixed(3)).join(' / ')})`,
        });
      }

      // 4. Memory of the largest runs.
      if (o.memory) {
        for (const [dim, block] of [[1_000_000, 1], [1_000_000, 50], [5_000_000, 50]] as const) {
          const r = await runChild(trainArgs('stde-sparse', dim, o.memorySteps, ['--block', String(block)]), { timeoutS: o.timeout });
          const config = `d=${dim} B=${block} R=16 N=100`;
          if (r.ok) log(memoryRow(config, r.record as Parameters<typeof memoryRow>[1]));
          else log({ target: 'memory', config, value: r.status, threshold: `≤ ${MEMORY_THRESHOLD_GB} GB peak`, met: 'false', detail: r.message.slice(0, 240) });
        }
      }

      release();
      console.table(rows.map(({ detail: _d, ...r }) => r));
      process.stderr.write(`targets: wrote ${csv}\n`);
    });
}
