/**
 * `quick`: the README's main job — a small slice of Table 3 (two-body Allen–Cahn at d = 100 and 1000)
 * on the default backend: STDE against the SDGD baselines and the exact forward Laplacian, one seed,
 * a few hundred steps. Finishes in under 10 minutes on 2 cores.
 */
import type { Matrix } from '../runner/matrix.ts';

const base = {
  pdes: ['allen-cahn-two-body'],
  dims: [100, 1_000],
  seeds: [0],
  steps: 300,
  widths: [128],
  depths: [4],
  points: 100,
  evalEvery: 100,
  testPoints: 2_000,
};

export const quick: Matrix = {
  name: 'quick',
  description: 'Table 3 slice: AllenCahnTwobody, d = 100 and 1000, STDE vs SDGD baselines (R = 16) and forward Laplacian; 1 seed × 300 steps',
  table: 'Table 3',
  timeoutS: 600,
  groups: [
    { ...base, estimators: ['stde-sparse', 'nested-batched', 'forward-over-backward', 'nested'], R: [16] },
    { ...base, estimators: ['forward-laplacian'], R: [0] },
  ],
};
