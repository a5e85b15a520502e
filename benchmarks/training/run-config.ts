/**
 * A training run's settings, resolved and checked before anything is built: the user's choices
 * over the PDE's defaults (pdes.md §2.6, §3, §4.3, §5, §9). Every problem with them is a UsageError
 * (one line, exit 2).
 */
import { getPde, PDES } from '../pdes/registry.ts';
import type { PDE, TrainDefaults } from '../pdes/pde.ts';
import { DATA_FIT, takesEstimators } from '../pdes/methods.ts';
import { checkDraw, drawKind, ESTIMATORS } from '../../operators/registry.ts';
import type { Estimator } from '../../operators/estimator.ts';
import { DEFAULT_SHARING, validateConfig, type MLPConfig, type Sharing } from '../../model/mlp.ts';
import type { ProbeDist } from '../../sampling/directions.ts';
import type { LossForm } from './loss.ts';
import { UsageError, usage } from '../../engine/errors.ts';

export interface RunRequest {
  pde: string;
  dim?: number;
  estimator: string;
  R?: number;
  dist?: ProbeDist;
  steps?: number;
  seed?: number;
  experimentSeed?: number;
  width?: number;
  depth?: number;
  block?: number;
  /** The weight-sharing map (block > 1): the published affine map + tanh, or the paper's convolution. */
  sharing?: Sharing;
  points?: number;
  boundaryPoints?: number;
  evalEvery?: number;
  testPoints?: number;
  /** Equal micro-batches per step (gradient accumulation); 0 or absent = chosen by the memory plan. */
  microBatches?: number;
  lr?: number;
  /** Read each step's loss before the next step is dispatched (no step in flight; per-step latency). */
  syncSteps?: boolean;
  /** Stop before a step that would end past this many seconds of training (0 or absent: no limit). */
  timeLimitS?: number;
  /** The loss form (method.md §4): 'biased' (the paper's, default) or 'unbiased' (Eq. 25). */
  loss?: LossForm;
  /** PDE-specific options by flag name (e.g. { source: 'published-incorrect' }). */
  options?: Record<string, string>;
}

export interface RunConfig {
  pde: PDE;
  d: number;
  method: string;
  /** The registered Laplacian estimator, when the method is one. */
  estimator?: Estimator;
  R: number;
  dist: ProbeDist;
  steps: number;
  seed: number;
  experimentSeed: number;
  model: MLPConfig;
  points: number;
  boundaryPoints: number;
  evalEvery: number;
  testPoints: number;
  /** Micro-batches per step; 0 = let the memory plan choose (benchmarks/training/memory-plan.ts). */
  microBatches: number;
  lr: number;
  /** No step in flight: each step's loss is read before the next is dispatched. */
  syncSteps: boolean;
  /** Seconds of training after which no further step starts (0 = no limit): the run ends as `timeout`. */
  timeLimitS: number;
  loss: LossForm;
  schedule: TrainDefaults['schedule'];
  options: Record<string, string>;
}

const DEFAULT_LR = 1e-3;

/**
 * Methods for which R means nothing: the data fit computes no operator, an exact estimator (the
 * Forward Laplacian) all d dimensions. Their runs have R = 0, whatever R was asked or a matrix's group lists.
 */
export function drawsNothing(method: string): boolean {
  return method === DATA_FIT || ESTIMATORS.find((e) => e.name === method)?.sampling === 'exact';
}

/** Every method name known anywhere: registered estimators, PDE-specific schemes and `none`. */
function knownMethods(): string[] {
  return [...new Set([...ESTIMATORS.map((e) => e.name), ...PDES.flatMap((p) => p.methods), DATA_FIT])];
}

function resolveDim(pde: PDE, dim: number | undefined): number {
  if (pde.fixedDim !== undefined) {
    usage(dim === undefined || dim === pde.fixedDim, `${pde.name} is defined for d = ${pde.fixedDim} only, got --dim ${dim}`);
    return pde.fixedDim;
  }
  usage(dim !== undefined, `${pde.name} needs --dim`);
  usage(Number.isInteger(dim) && dim > 0, `dimension must be a positive integer, got ${dim}`);
  usage(dim >= pde.minDim, `${pde.name} needs d ≥ ${pde.minDim}, got ${dim}`);
  return dim;
}

function resolveOptions(pde: PDE, given: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const o of pde.options) out[o.flag] = o.default;
  for (const [flag, value] of Object.entries(given)) {
    const o = pde.options.find((x) => x.flag === flag);
    if (!o) throw new UsageError(`option --${flag} does not apply to ${pde.name}${pde.options.length ? ` (its options: ${pde.options.map((x) => '--' + x.flag).join(', ')})` : ''}`);
    usage(o.choices.includes(value), `unknown --${flag} '${value}' (expected one of: ${o.choices.join(', ')})`);
    out[flag] = value;
  }
  return out;
}

function resolveMethod(pde: PDE, name: string): Estimator | undefined {
  if (!pde.methods.includes(name)) {
    if (name === DATA_FIT) throw new UsageError(`${pde.name} has no closed-form exact solution: the data-fit estimator 'none' needs one`);
    if (!knownMethods().includes(name)) throw new UsageError(`unknown estimator '${name}' (expected one of: ${knownMethods().join(', ')})`);
    throw new UsageError(`estimator '${name}' cannot train ${pde.name} (it needs ${pde.terms.join(', ')}; supported: ${pde.methods.join(', ')})`);
  }
  return takesEstimators(pde) ? ESTIMATORS.find((e) => e.name === name) : undefined;
}

export function resolveRun(req: RunRequest): RunConfig {
  const pde = getPde(req.pde);
  const d = resolveDim(pde, req.dim);
  const options = resolveOptions(pde, req.options ?? {});
  const estimator = resolveMethod(pde, req.estimator);
  const def = pde.defaults(d, options);
  // Its record says R = 0 (the R it ran), not an R that changed nothing; so swapping only --estimator
  // between an STDE run and the floor or the Forward Laplacian still compares the same settings.
  const fixed = drawsNothing(req.estimator);
  const R = fixed ? 0 : (req.R ?? def.R);
  usage(Number.isInteger(R) && R >= 0, `R must be a non-negative integer, got ${R}`);
  usage(R <= d, `R = ${R} exceeds the dimension d = ${d}`);
  checkDraw(req.estimator, estimator, R, req.dist);
  pde.validate?.({ d, R, method: req.estimator });
  const model: MLPConfig = {
    dim: d,
    extraInputs: pde.timeDependent ? 1 : 0,
    width: req.width ?? def.width,
    depth: req.depth ?? def.depth,
    block: req.block ?? 1,
    sharing: req.sharing ?? DEFAULT_SHARING,
  };
  validateConfig(model);
  const positive = (v: number, what: string) => usage(Number.isInteger(v) && v >= 1, `${what} must be a positive integer, got ${v}`);
  const cfg: RunConfig = {
    pde,
    d,
    method: req.estimator,
    estimator,
    R,
    dist: req.dist ?? 'rademacher',
    steps: req.steps ?? def.steps,
    seed: req.seed ?? 0,
    experimentSeed: req.experimentSeed ?? 0,
    model,
    points: req.points ?? def.points,
    boundaryPoints: req.boundaryPoints ?? def.boundaryPoints,
    evalEvery: req.evalEvery ?? def.evalEvery,
    testPoints: req.testPoints ?? def.testPoints,
    microBatches: req.microBatches ?? 0,
    lr: req.lr ?? DEFAULT_LR,
    syncSteps: req.syncSteps ?? false,
    timeLimitS: req.timeLimitS ?? 0,
    loss: req.loss ?? 'biased',
    schedule: def.schedule,
    options,
  };
  positive(cfg.steps, 'steps');
  positive(cfg.points, 'points');
  positive(cfg.evalEvery, 'eval-every');
  if (def.boundaryPoints > 0) {
    usage(Number.isInteger(cfg.boundaryPoints) && cfg.boundaryPoints >= 1, `boundary points must be ≥ 1, got ${cfg.boundaryPoints}`); // its boundary/terminal loss needs points
  } else {
    // else a record would claim points no loss used
    const withLoss = options.terminal === 'ansatz' ? ' (its terminal condition is the ansatz here: --terminal loss trains one on terminal points)' : '';
    usage(cfg.boundaryPoints === 0, `${cfg.pde.name} has no boundary or terminal loss${withLoss}, so it takes no boundary points (got ${cfg.boundaryPoints})`);
  }
  usage(Number.isInteger(cfg.testPoints) && cfg.testPoints >= 0, `test points must be ≥ 0, got ${cfg.testPoints}`);
  usage(Number.isFinite(cfg.lr) && cfg.lr > 0, `learning rate must be positive, got ${cfg.lr}`);
  usage(Number.isFinite(cfg.timeLimitS) && cfg.timeLimitS >= 0, `time limit must be ≥ 0 seconds, got ${cfg.timeLimitS}`);
  // Two draws of a method that draws nothing are one estimate twice: the biased loss at twice the cost.
  if (cfg.loss === 'unbiased') {
    const kind = fixed ? 'exact' : drawKind(estimator, R, cfg.d);
    const why = { exact: `${req.estimator} draws nothing`, 'R = 0': 'R = 0 draws nothing', 'R = d': `R = d = ${R} draws every dimension`, random: '' }[kind];
    usage(kind === 'random', `--loss unbiased needs two independent estimates, and ${why}: both would be the same`);
  }
  const k = cfg.microBatches;
  usage(Number.isInteger(k) && k >= 0, `micro-batches must be a non-negative integer (0 = auto), got ${k}`);
  usage(k === 0 || (cfg.points % k === 0 && cfg.boundaryPoints % k === 0), `${k} micro-batches must divide the points (${cfg.points}) and boundary points (${cfg.boundaryPoints}) evenly`);
  return cfg;
}
