/**
 * `quick`: the README's main job — a small slice of Table 3 (two-body Allen–Cahn, d = 100 and 1000)
 * on the default backend, one seed: STDE and forward-over-backward SDGD for 200 steps, looped nested
 * SDGD (the speed-up baseline, ~10× slower per step on WASM) for 50 steps, and the exact forward
 * Laplacian at d = 100 (at d = 1000 it takes seconds per step on WASM). Timings are steady-state, so
 * the shorter runs still give comparable it/s. About 1½ minutes on 2 cores (README, Quick start).
 */
import type { Matrix } from '../runner/matrix.ts';

const base = {
  pdes: ['allen-cahn-two-body'],
  dims: [100, 1_000],
  seeds: [0],
  widths: [128],
  depths: [4],
  points: 100,
  testPoints: 2_000,
};

export const quick: Matrix = {
  name: 'quick',
  description: 'Table 3 slice: AllenCahnTwobody, d = 100 and 1000, STDE and forward-over-backward (R = 16, 200 steps), nested SDGD (R = 16, 50 steps), forward Laplacian (d = 100, 100 steps); 1 seed',
  table: 'Table 3',
  timeoutS: 600,
  groups: [
    { ...base, estimators: ['stde-sparse', 'forward-over-backward'], R: [16], steps: 200, evalEvery: 50 },
    { ...base, estimators: ['nested'], R: [16], steps: 50, evalEvery: 25 },
    { ...base, dims: [100], estimators: ['forward-laplacian'], R: [0], steps: 100, evalEvery: 50 },
  ],
};
