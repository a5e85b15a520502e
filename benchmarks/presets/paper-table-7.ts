/** Table 7: SemilinearHeatTime, d = 10…10K (decisions.md D6–D9 applied; see semilinearGroups). */
import type { Matrix } from '../runner/matrix.ts';
import { PAPER_TIMEOUT_S, semilinearGroups } from './paper-common.ts';

export const paperTable7: Matrix = {
  name: 'paper-table-7',
  description: 'Table 7: SemilinearHeatTime, d = 10…10K, STDE vs backward SDGD (looped and parallel), R = 10, published-tables batch sizes; 5 seeds × 10,000 steps',
  table: 'Table 7',
  timeoutS: PAPER_TIMEOUT_S,
  groups: semilinearGroups('semilinear-heat'),
};
