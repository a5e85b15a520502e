/**
 * `ci`: a small fixed matrix for regression runs (`stde-bench compare` against a committed baseline).
 * Steady-state step times of three estimators at d = 100; enough steps for a few hundred per-step
 * samples each.
 */
import type { Matrix } from '../runner/matrix.ts';

/** Settings every cell shares; the groups differ only in estimators and R. */
const common = {
  pdes: ['allen-cahn-two-body'],
  dims: [100],
  seeds: [0],
  steps: 300,
  widths: [128],
  depths: [4],
  points: 100,
  evalEvery: 300,
  testPoints: 1_000,
};

export const ci: Matrix = {
  name: 'ci',
  description: 'regression matrix: AllenCahnTwobody, d = 100, STDE / parallel SDGD (R = 16) / forward Laplacian; 1 seed × 300 steps',
  timeoutS: 300,
  groups: [
    { ...common, estimators: ['stde-sparse', 'nested-batched'], R: [16] },
    { ...common, estimators: ['forward-laplacian'], R: [0] },
  ],
};
