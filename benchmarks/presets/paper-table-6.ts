/**
 * Table 6 (three-body, pdes.md §9): STDE with R = 16, except PoissonThreebody at 1M D with R = 50.
 * The project's source is the exact Δu* (decisions.md D1); the paper trained on the published,
 * incorrect source, so every cell also runs with that opt-in variant, labelled as such.
 */
import type { Matrix, MatrixGroup } from '../runner/matrix.ts';
import { INSEPARABLE, PAPER_TIMEOUT_S } from './paper-common.ts';

const sources: Pick<MatrixGroup, 'args' | 'variant'>[] = [
  {},
  { args: ['--source', 'published-incorrect'], variant: 'published-incorrect source' },
];

export const paperTable6: Matrix = {
  name: 'paper-table-6',
  description: 'Table 6: Poisson/AllenCahn/SineGordon three-body, d = 100…1M, STDE R = 16 (Poisson 1M: R = 50), exact and published-incorrect source (D1); 5 seeds × 10,000 steps',
  table: 'Table 6',
  timeoutS: PAPER_TIMEOUT_S,
  groups: sources.flatMap((src) => [
    { ...INSEPARABLE, ...src, pdes: ['allen-cahn-three-body', 'sine-gordon-three-body'], dims: [100, 1_000, 10_000, 100_000, 1_000_000], estimators: ['stde-sparse'], R: [16] },
    { ...INSEPARABLE, ...src, pdes: ['poisson-three-body'], dims: [100, 1_000, 10_000, 100_000], estimators: ['stde-sparse'], R: [16] },
    { ...INSEPARABLE, ...src, pdes: ['poisson-three-body'], dims: [1_000_000], estimators: ['stde-sparse'], R: [50] },
  ]),
};
