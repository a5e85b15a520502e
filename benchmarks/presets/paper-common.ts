/**
 * Settings shared by the paper presets (pdes.md §2.6, §7–§10): 5 seeds, width 128 / depth 4, 100
 * residual points per step, 10,000 steps, an evaluation every 1000 steps on 20,000 test points.
 */
import type { MatrixGroup } from '../runner/matrix.ts';

export const PAPER_SEEDS = [0, 1, 2, 3, 4];
export const DIMS_100_TO_1M = [100, 1_000, 10_000, 100_000, 1_000_000];

/** Inseparable two-/three-body runs (Tables 3–6, 10). */
export const INSEPARABLE: Omit<MatrixGroup, 'pdes' | 'dims' | 'estimators' | 'R'> = {
  seeds: PAPER_SEEDS,
  steps: 10_000,
  widths: [128],
  depths: [4],
  points: 100,
  evalEvery: 1000,
  testPoints: 20_000,
};

/** The paper's cells take hours on a CPU: a generous default limit per cell (override with --timeout). */
export const PAPER_TIMEOUT_S = 12 * 3600;

/**
 * Semilinear parabolic runs (Tables 7–9, pdes.md §4.3): width 1024, R = 10, 10,000 steps, evaluation
 * every 100 steps at the single test point. Batch sizes and learning rate come from train's
 * `published-tables` preset (decisions.md D6/D7: 100 residual + 20 terminal points, the decay the
 * published code used), which produced Tables 7–9. "Backward SDGD (JAX)" does not say whether it was
 * the looped or the parallel variant, so both run (decisions.md O5).
 */
export function semilinearGroups(pde: string): MatrixGroup[] {
  return [
    {
      pdes: [pde],
      dims: [10, 100, 1_000, 10_000],
      estimators: ['stde-sparse', 'nested', 'nested-batched'],
      R: [10],
      seeds: PAPER_SEEDS,
      steps: 10_000,
      widths: [1024],
      depths: [4],
      evalEvery: 100,
      args: ['--preset', 'published-tables'],
      variant: 'published-tables',
    },
  ];
}
