/**
 * `stde-bench targets`: measures the scale-and-speed targets (issue 6) and prints each ratio with
 * its threshold. Speed ratios come from training steps run one after the other in this process;
 * memory runs are child `train` processes (an out-of-memory abort is a result, not a crash).
 * Writes DIR/targets.csv and DIR/machine.json.
 */
import type { Command } from 'commander';
import { execa } from 'execa';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'csv-stringify/sync';
import { BACKENDS, DEFAULT_BACKEND, initEngine } from '../../engine/backend.ts';
import { describeMachine } from '../../benchmarks/runner/machine.ts';
import { kernelSplit, stepMs } from '../../benchmarks/targets/measure.ts';
import { failureStatus } from './bench-operators.ts';
import { int, intList } from '../options.ts';

interface Row {
  target: string;
  config: string;
  value: number | string;
  threshold: string;
  met: string;
  detail: string;
}

interface Opts {
  backend: string;
  steps: number;
  floorDims: number[];
  speedDim: number;
  memory: boolean;
  memorySteps: number;
  timeout: number;
  out: string;
}

const PDE = 'allen-cahn-two-body';

export function register(program: Command): void {
  program
    .command('targets')
    .description('measure the scale-and-speed targets: floor ratio, speed-up over nested, kernel share, memory at 1e6')
    .option('--backend <b>', `tfjs backend (${BACKENDS.join(', ')})`, DEFAULT_BACKEND)
    .option('--steps <n>', 'training steps per speed measurement (the first ones are warm-up)', int('steps', 5), 30)
    .option('--floor-dims <list>', 'dimensions of the floor-ratio target', intList('floor-dims', 1), [10000, 100000])
    .option('--speed-dim <d>', 'dimension of the speed-up target', int('speed-dim', 16), 10000)
    .option('--no-memory', 'skip the d = 1e6 / 5e6 memory runs')
    .option('--memory-steps <n>', 'training steps of each memory run', int('memory-steps', 1), 3)
    .option('--timeout <s>', 'seconds per memory run', int('timeout', 1), 1800)
    .option('--out <dir>', 'output folder', 'results/targets')
    .action(async (o: Opts) => {
      mkdirSync(o.out, { recursive: true });
      const machine = await describeMachine(o.backend);
      await initEngine(o.backend);
      writeFileSync(join(o.out, 'machine.json'), JSON.stringify(machine, null, 2) + '\n');
      const rows: Row[] = [];
      const log = (r: Row) => {
        rows.push(r);
        process.stderr.write(`targets: ${r.target} [${r.config}] = ${r.value} (${r.threshold}: ${r.met}) ${r.detail}\n`);
      };
      const base = { pde: PDE, R: 16, points: 100, steps: o.steps };
      const ms = async (estimator: string, dim: number) => (await stepMs({ ...base, estimator, dim }, o.backend)).median;

      // 1. Floor ratio: an STDE step against the plain data-fit step on the same model and points.
      for (const dim of o.floorDims) {
        const none = await ms('none', dim);
        const stde = await ms('stde-sparse', dim);
        log({ target: 'floor ratio', config: `d=${dim} R=16 N=100`, value: +(stde / none).toFixed(3), threshold: '≤ 1.3', met: String(stde / none <= 1.3), detail: `stde-sparse ${stde.toFixed(1)} ms, none ${none.toFixed(1)} ms per step` });
      }

      // 2. Speed-up over nested backprop, looped and batched.
      const stde = await ms('stde-sparse', o.speedDim);
      for (const [name, min] of [['nested', 10], ['nested-batched', 3]] as const) {
        const t = await ms(name, o.speedDim);
        log({ target: `speed-up over ${name}`, config: `d=${o.speedDim} R=16 N=100`, value: +(t / stde).toFixed(2), threshold: `≥ ${min}`, met: String(t / stde >= min), detail: `${name} ${t.toFixed(1)} ms, stde-sparse ${stde.toFixed(1)} ms per step` });
      }

      // 3. Kernel share of an STDE step, and the split at d = 100.
      for (const dim of [100, ...o.floorDims]) {
        const s = await kernelSplit({ ...base, estimator: 'stde-sparse', dim });
        log({
          target: 'kernel share',
          config: `d=${dim} R=16 N=100`,
          value: +s.kernel_share.toFixed(3),
          threshold: dim >= 10000 ? '≥ 0.8' : 'report',
          met: dim >= 10000 ? String(s.kernel_share >= 0.8) : 'n/a',
          detail: `${s.kernels} kernels, ${s.kernel_ms.toFixed(1)} ms in kernels of ${s.wall_ms.toFixed(1)} ms (profiled loss+gradient step)`,
        });
      }

      // 4. Memory of the largest runs, each in its own process.
      if (o.memory) {
        const bin = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'stde-bench.mjs');
        for (const [dim, block] of [[1_000_000, 1], [1_000_000, 50], [5_000_000, 50]] as const) {
          const args = ['train', '--pde', PDE, '--dim', String(dim), '--block', String(block), '--estimator', 'stde-sparse', '--R', '16', '--steps', String(o.memorySteps), '--test-points', '0', '--backend', o.backend, '--json'];
          const r = await execa(process.execPath, [bin, ...args], { reject: false, timeout: o.timeout * 1000 });
          const config = `d=${dim} B=${block} R=16 N=100`;
          if (r.exitCode === 0 && !r.timedOut) {
            const rec = JSON.parse(String(r.stdout).trim().split('\n').pop()!);
            const gb = rec.peak_tensor_mb / 1024;
            log({ target: 'memory', config, value: +gb.toFixed(3), threshold: '≤ 3.5 GB peak', met: String(gb <= 3.5), detail: `status ${rec.status}, tf.profile peak ${rec.peak_tensor_mb.toFixed(0)} MB, RSS peak ${rec.rss_peak_mb} MB, ${rec.params} parameters` });
          } else {
            const status = failureStatus(String(r.stderr ?? ''), Boolean(r.timedOut));
            const last = String(r.stderr ?? '').trim().split('\n').filter(Boolean).pop() ?? '';
            log({ target: 'memory', config, value: status, threshold: '≤ 3.5 GB peak', met: 'false', detail: last.slice(0, 240) });
          }
        }
      }

      const cols = ['target', 'config', 'value', 'threshold', 'met', 'detail'] as const;
      writeFileSync(join(o.out, 'targets.csv'), stringify([cols as unknown as string[], ...rows.map((r) => cols.map((c) => r[c]))]));
      console.table(rows.map(({ detail: _d, ...r }) => r));
      process.stderr.write(`targets: wrote ${join(o.out, 'targets.csv')}\n`);
    });
}
