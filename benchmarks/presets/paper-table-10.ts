/**
 * Table 10 (weight sharing, pdes.md §7, §9): AllenCahnTwobody at 1M and 5M D, STDE R = 16, block
 * sizes B ∈ {1, 10, 50, 100, 500, 1000} (B = 1: no sharing).
 */
import type { Matrix } from '../runner/matrix.ts';
import { INSEPARABLE, PAPER_TIMEOUT_S } from './paper-common.ts';

export const paperTable10: Matrix = {
  name: 'paper-table-10',
  description: 'Table 10: AllenCahnTwobody, d = 1M and 5M, STDE R = 16, weight-sharing block B = 1…1000; 5 seeds × 10,000 steps',
  table: 'Table 10',
  timeoutS: PAPER_TIMEOUT_S,
  groups: [
    {
      ...INSEPARABLE,
      pdes: ['allen-cahn-two-body'],
      dims: [1_000_000, 5_000_000],
      estimators: ['stde-sparse'],
      R: [16],
      blocks: [1, 10, 50, 100, 500, 1000],
    },
  ],
};
