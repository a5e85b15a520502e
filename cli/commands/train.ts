/**
 * `stde-bench train`: train one PDE with one estimator; a progress bar on stderr, a summary on
 * stdout, or with --json one final JSON record as the last stdout line (docs/train-contract.md).
 */
import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { initEngine } from '../../engine/backend.ts';
import { PDES } from '../../benchmarks/pdes/registry.ts';
import { resolveRun, type RunRequest } from '../../benchmarks/training/run-config.ts';
import { assertFits, assertFitsDevice, outOfMemoryRemedy } from '../../benchmarks/training/memory-plan.ts';
import { UsageError } from '../../engine/errors.ts';
import { outOfMemoryBehind } from '../../engine/out-of-memory.ts';
import { train } from '../../benchmarks/training/train.ts';
import type { TrainRecord } from '../../benchmarks/training/record.ts';
import { int, num, runChoiceOptions, runRequestOf, type RunChoiceOpts } from '../options.ts';

/** The run choice, train's own options, and the PDE options by flag. */
type Opts = RunChoiceOpts & {
  steps?: number;
  seed: number;
  experimentSeed: number;
  evalEvery?: number;
  testPoints?: number;
  lr?: number;
  timeLimit?: number;
  syncSteps?: boolean;
  json?: boolean;
  [pdeOption: string]: unknown;
};

/**
 * The PDE-specific options of every PDE, one flag each: a flag shared by several PDEs appears once,
 * with each distinct description (--source means one thing for three-body PDEs, another for Poisson).
 */
function pdeOptions() {
  const byFlag = new Map<string, { flag: string; descriptions: string[]; choices: string[] }>();
  for (const p of PDES) {
    for (const o of p.options) {
      const seen = byFlag.get(o.flag) ?? { flag: o.flag, descriptions: [], choices: [] };
      byFlag.set(o.flag, {
        flag: o.flag,
        descriptions: [...new Set([...seen.descriptions, o.description])],
        choices: [...new Set([...seen.choices, ...o.choices])],
      });
    }
  }
  return [...byFlag.values()].map(({ flag, descriptions, choices }) => ({ flag, description: descriptions.join('; '), choices }));
}

const camel = (flag: string) => flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

function summary(r: TrainRecord): string {
  const f = (x: number | null) => (x === null ? 'n/a' : x.toExponential(3));
  return [
    `${r.pde} d=${r.dim} ${r.estimator} R=${r.R} seed=${r.seed} on ${r.backend}: ${r.status}${r.message ? ` (${r.message})` : ''}`,
    `  ${r.steps_done}/${r.steps} steps, ${r.it_per_s ?? 'n/a'} it/s (timed steps / their time; median step ${r.step_ms_median ?? 'n/a'} ms), peak tensors ${r.peak_tensor_mb} MB, RSS ${r.rss_peak_mb} MB${r.wasm_heap_mb === null ? '' : `, WASM heap ${r.wasm_heap_mb} MB`}`,
    `  ${r.metric}: best ${f(r.rel_l2_best)} final ${f(r.rel_l2_final)} (initial ${f(r.rel_l2_initial)}); rel. L1 best ${f(r.rel_l1_best)} final ${f(r.rel_l1_final)}`,
  ].join('\n');
}

export function register(program: Command): void {
  const cmd = runChoiceOptions(
    program.command('train').description('train a PDE with an estimator (PINN); prints a summary, or one JSON record with --json'),
  )
    .option('--steps <n>', "training steps; default: the PDE's", int('steps', 1))
    .option('--seed <s>', 'run seed: initialisation, points, index sets, test set (D16)', int('seed', 0), 0)
    .option('--experiment-seed <s>', "experiment seed: the PDE's random coefficients, shared by the runs of an experiment (D16)", int('experiment-seed', 0), 0)
    .option('--eval-every <k>', 'evaluate every k steps', int('eval-every', 1))
    .option('--test-points <m>', 'test-set size', int('test-points', 0))
    .option('--lr <rate>', 'initial learning rate (default 1e-3)', num('lr'))
    .option('--time-limit <s>', 'seconds of training after which no step starts (the record then says timeout, with the steps done); 0 = none', num('time-limit'))
    .option('--sync-steps', "read each step's loss before dispatching the next (time per-step latency; default: one step in flight)")
    .option('--json', 'print one JSON record as the last stdout line');
  const extra = pdeOptions();
  for (const o of extra) cmd.option(`--${o.flag} <${o.flag}>`, `${o.description} [${o.choices.join('|')}]`);

  cmd.action(async (o: Opts) => {
    const options: Record<string, string> = {};
    for (const e of extra) {
      const v = o[camel(e.flag)];
      if (typeof v === 'string') options[e.flag] = v;
    }
    const req: RunRequest = {
      ...runRequestOf(o),
      steps: o.steps,
      seed: o.seed,
      experimentSeed: o.experimentSeed,
      evalEvery: o.evalEvery,
      testPoints: o.testPoints,
      lr: o.lr,
      syncSteps: o.syncSteps,
      timeLimitS: o.timeLimit,
      options,
    };
    const cfg = resolveRun(req); // every usage error before the engine starts
    assertFits(cfg, o.backend); // so is an impossible memory request
    const info = await initEngine(o.backend);
    assertFitsDevice(cfg, o.backend); // and one larger than the device can bind
    const bar = new cliProgress.SingleBar(
      { stream: process.stderr, format: `${cfg.pde.name} d=${cfg.d} ${cfg.method} [{bar}] {value}/{total} steps | loss {loss} | rel L2 {err} | ETA {eta_formatted}` }, // the cursor stays shown: a Ctrl-C ends the process before a bar could show it again
      cliProgress.Presets.shades_classic,
    );
    bar.start(cfg.steps, 0, { loss: '-', err: '-' });
    let lastDraw = 0;
    let microBatches: number | undefined;
    const record = await train(cfg, info.name, {
      onMicroBatches: (k) => void (microBatches = k),
      onStep: (step, loss) => {
        const now = performance.now();
        if (now - lastDraw > 100 || step === cfg.steps) {
          bar.update(step, { loss: loss.toExponential(2) });
          lastDraw = now;
        }
      },
      onEval: (e) => bar.update({ err: e.rel_l2 === null ? '-' : e.rel_l2.toExponential(2) }),
    })
      .catch((e: unknown) => {
        // The plan's bound left out the step's working memory (activations, jets, tape): say what to change.
        const oom = outOfMemoryBehind(e);
        throw oom ? new UsageError(`${oom}; ${outOfMemoryRemedy(cfg, info.name, microBatches)}`) : e;
      })
      .finally(() => bar.stop());
    process.stdout.write((o.json ? JSON.stringify(record) : summary(record)) + '\n');
  });
}
