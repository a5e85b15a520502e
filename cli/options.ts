/** Option parsers shared by the sub-commands: each rejects bad input with a UsageError. */
import type { Command } from 'commander';
import { UsageError } from '../engine/errors.ts';
import { BACKENDS, DEFAULT_BACKEND, type BackendName } from '../engine/backend.ts';
import type { RunRequest } from '../benchmarks/training/run-config.ts';
import { PROBE_DISTS, type ProbeDist } from '../sampling/directions.ts';
import { SHARINGS, type Sharing } from '../model/mlp.ts';
import { LOSS_FORMS, type LossForm } from '../benchmarks/training/loss.ts';

export function int(name: string, min = 0) {
  return (v: string): number => {
    const n = Number(v);
    if (!/^-?\d+(e\d+)?$/i.test(v.trim()) || !Number.isSafeInteger(n)) throw new UsageError(`--${name} must be an integer below 2⁵³, got '${v}'`);
    if (n < min) throw new UsageError(`--${name} must be ≥ ${min}, got ${n}`);
    return n;
  };
}

/** A decimal number: Number() alone would also take '0x10' and '0b11', which int() refuses. */
export function num(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(v.trim()) || !Number.isFinite(n)) throw new UsageError(`--${name} must be a number, got '${v}'`);
    return n;
  };
}

/** The first item given twice, if any. */
const repeated = <T>(items: T[]): T | undefined => items.find((x, i) => items.indexOf(x) !== i);

/** A comma-separated list of names; an empty one (`''`, `,`) is refused rather than read as "all" or "none". */
export function nameList(name: string) {
  return (v: string): string[] => {
    const names = v.split(',').map((s) => s.trim());
    if (names.every((s) => s === '')) throw new UsageError(`--${name}: empty list (got '${v}')`);
    // '4,,5' is a typo for some list, not the list 4,5; '20,20' one for some other list (it would run once)
    if (names.includes('')) throw new UsageError(`--${name}: an empty item in '${v}'`);
    const twice = repeated(names);
    if (twice !== undefined) throw new UsageError(`--${name}: '${twice}' is given twice in '${v}'`);
    return names;
  };
}

export function intList(name: string, min = 0) {
  const one = int(name, min);
  const names = nameList(name);
  return (v: string): number[] => {
    const values = names(v).map((s) => one(s));
    const twice = repeated(values); // '100,1e2'
    if (twice !== undefined) throw new UsageError(`--${name}: ${twice} is given twice in '${v}'`);
    return values;
  };
}

/** A path option's value: '' names no file or folder (it would resolve to the current folder). */
export function nonEmptyPath(name: string) {
  return (v: string): string => {
    if (v.trim() === '') throw new UsageError(`--${name} must name a path, got ''`);
    return v;
  };
}

/** A path option naming a file: not '', and not a folder's path ('x/', 'x/.', '..'), which would make the file beside or above it. */
export function filePath(name: string) {
  const path = nonEmptyPath(name);
  return (v: string): string => {
    if (/(^|\/)(\.\.?)?\/*$/.test(path(v))) throw new UsageError(`--${name} must name a file, got the folder '${v}'`);
    return v;
  };
}

export function oneOf<T extends string>(name: string, allowed: readonly T[]) {
  return (v: string): T => {
    if (!(allowed as readonly string[]).includes(v)) throw new UsageError(`unknown ${name} '${v}' (expected one of: ${allowed.join(', ')})`);
    return v as T;
  };
}

/**
 * --backend, refused as it is parsed (before anything starts or is written). Default wasm; given
 * `fallback`, no default: the caller picks one (run: the preset's) and the help names that choice.
 */
export function backendOption(cmd: Command, fallback?: string): Command {
  const parse = oneOf('backend', BACKENDS);
  return fallback === undefined
    ? cmd.option('--backend <b>', `tfjs backend (${BACKENDS.join(', ')})`, parse, DEFAULT_BACKEND)
    : cmd.option('--backend <b>', `tfjs backend (${BACKENDS.join(', ')}; default: ${fallback})`, parse);
}

/** The options that pick one training run's PDE, estimator, model, batches and backend (train, profile). */
export function runChoiceOptions(cmd: Command): Command {
  cmd
    .requiredOption('--pde <name>', 'PDE (see `stde-bench list`)')
    .option('--dim <d>', 'spatial dimension', int('dim', 1))
    .option('--estimator <name>', 'estimator or scheme (see `stde-bench list`); none = data-fit floor', 'stde-sparse')
    .option('--R <r>', "sampled dimensions / probes (0 = all, exact); default: the PDE's", int('R', 0))
    .option('--dist <dist>', 'probe distribution of the estimators that draw probes (default rademacher)', oneOf('distribution', PROBE_DISTS))
    .option('--width <w>', 'MLP width', int('width', 1))
    .option('--depth <L>', 'MLP depth (affine layers)', int('depth', 1))
    .option('--block <B>', 'weight-sharing block size (1 = none)', int('block', 1), 1)
    .option('--sharing <map>', `weight-sharing map with --block > 1: ${SHARINGS.join(' or ')} (affine-tanh: the published code's shared affine map + tanh; conv: the paper's 1-D convolution, no activation; default affine-tanh)`, oneOf('weight-sharing map', SHARINGS))
    .option('--points <n>', 'residual points per step', int('points', 1))
    .option('--boundary-points <n>', 'boundary / terminal points per step', int('boundary-points', 0))
    .option('--loss <form>', `loss form: ${LOSS_FORMS.join(' or ')} (biased, the paper's: mean (L̃u − f)²; unbiased, Eq. 25: two independent draws, mean (L̃_J u − f)(L̃_K u − f); default biased)`, oneOf('loss form', LOSS_FORMS))
    .option('--micro-batches <k>', 'split each step into k equal micro-batches of points (gradient accumulation); 0 = auto: on wasm, the fewest that keep the points of each micro-batch within 400 MiB, then more while the first step runs out of heap', int('micro-batches', 0));
  return backendOption(cmd);
}

/** What runChoiceOptions parses (commander fills the defaulted ones). */
export interface RunChoiceOpts {
  pde: string;
  dim?: number;
  estimator: string;
  R?: number;
  dist?: ProbeDist;
  width?: number;
  depth?: number;
  block: number;
  sharing?: Sharing;
  loss?: LossForm;
  points?: number;
  boundaryPoints?: number;
  microBatches?: number;
  backend: BackendName;
}

/** The run request those options make; the command adds its own fields (seed, steps …). */
export function runRequestOf(o: RunChoiceOpts): RunRequest {
  const { pde, dim, estimator, R, dist, width, depth, block, sharing, loss, points, boundaryPoints, microBatches } = o;
  return { pde, dim, estimator, R, dist, width, depth, block, sharing, loss, points, boundaryPoints, microBatches };
}

/** --factor and --alpha, the thresholds of a regression verdict (compare, ab), checked as they are parsed. */
export function verdictOptions(cmd: Command): Command {
  const factor = (v: string) => {
    const f = num('factor')(v);
    if (f < 1) throw new UsageError(`--factor must be ≥ 1, got ${f}`);
    return f;
  };
  const alpha = (v: string) => {
    const a = num('alpha')(v);
    if (!(a > 0 && a < 1)) throw new UsageError(`--alpha must be in (0, 1), got ${a}`);
    return a;
  };
  return cmd
    .option('--factor <f>', 'flag a slowdown only above this ratio of median step times', factor, 1.1)
    .option('--alpha <p>', 'significance level of the Mann–Whitney U test', alpha, 0.002);
}

/**
 * An option that `given` makes do nothing (targets' --memory-steps with --no-memory) is refused, not
 * dropped without a word. Only options typed on the command line count, not defaults.
 */
export function refuseIgnored(cmd: Command, given: string, ignored: readonly string[], why: string): void {
  const typed = (flag: string) => {
    const opt = cmd.options.find((x) => x.long === flag);
    if (!opt) throw new Error(`refuseIgnored: ${cmd.name()} has no option ${flag}`);
    return cmd.getOptionValueSource(opt.attributeName()) === 'cli';
  };
  if (!typed(given)) return;
  const hit = ignored.find(typed);
  if (hit) throw new UsageError(`${hit} does nothing with ${given}: ${why}`);
}
