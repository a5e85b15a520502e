/**
 * Checks every cell before anything runs — its args against the PDE's options, then all of train's
 * own checks (resolveRun: PDE, method, dimension, R …) — so a typo in a matrix is a usage error
 * (exit 2), not a column of `error` rows hours later.
 */
import { UsageError } from '../../engine/errors.ts';
import { getPde } from '../pdes/registry.ts';
import { resolveRun, type RunRequest } from '../training/run-config.ts';
import type { Cell } from './matrix.ts';
import { PROBE_DISTS, type ProbeDist } from '../../sampling/directions.ts';
import { SHARINGS, type Sharing } from '../../model/mlp.ts';
import { LOSS_FORMS, type LossForm } from '../training/loss.ts';

/** `train` switches (no value) a matrix group's args may carry besides the PDE's options. */
const TRAIN_SWITCHES = ['--sync-steps'];
/** `train` options with a value a matrix group's args may carry: their choices, and the request field each sets. */
const TRAIN_OPTIONS: Record<string, { choices: readonly string[]; set(r: RunRequest, value: string): void }> = {
  '--dist': { choices: PROBE_DISTS, set: (r, v) => (r.dist = v as ProbeDist) },
  '--sharing': { choices: SHARINGS, set: (r, v) => (r.sharing = v as Sharing) },
  '--loss': { choices: LOSS_FORMS, set: (r, v) => (r.loss = v as LossForm) },
};

/** The train request a cell makes: its PDE options parsed from its args (checked against the PDE's). */
export function requestOfCell(c: Cell): RunRequest {
  const pde = getPde(c.pde);
  const where = `cell ${c.id}`;
  const options: Record<string, string> = {};
  const request: RunRequest = { pde: c.pde, dim: c.dim, estimator: c.estimator, R: c.R, seed: c.seed, steps: c.steps, width: c.width, depth: c.depth, block: c.block, points: c.points, evalEvery: c.evalEvery, testPoints: c.testPoints, options };
  for (let i = 0; i < c.args.length; i++) {
    const flag = c.args[i];
    if (TRAIN_SWITCHES.includes(flag)) continue;
    const opt = pde.options.find((o) => `--${o.flag}` === flag);
    const choices = opt?.choices ?? TRAIN_OPTIONS[flag]?.choices;
    if (!choices) throw new UsageError(`${where}: ${c.pde} has no option ${flag} (options: ${[...pde.options.map((o) => `--${o.flag}`), ...Object.keys(TRAIN_OPTIONS), ...TRAIN_SWITCHES].join(', ')})`);
    const value = c.args[++i];
    if (!choices.includes(value)) throw new UsageError(`${where}: ${flag} must be one of ${choices.join(', ')}, got '${value}'`);
    if (opt) options[opt.flag] = value;
    else TRAIN_OPTIONS[flag].set(request, value);
  }
  return request;
}

export function validateCells(cells: Cell[]): void {
  for (const c of cells) {
    const request = requestOfCell(c);
    // Every check train makes of its settings (method, dimension, R, the PDE's own), named by the cell.
    try {
      resolveRun(request);
    } catch (e) {
      throw e instanceof UsageError ? new UsageError(`cell ${c.id}: ${e.message}`) : e;
    }
  }
}
