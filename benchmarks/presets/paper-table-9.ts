/** Table 9: SineGordonTime, d = 10…10K (decisions.md D6–D9 applied; see semilinearGroups). */
import type { Matrix } from '../runner/matrix.ts';
import { PAPER_TIMEOUT_S, semilinearGroups } from './paper-common.ts';

export const paperTable9: Matrix = {
  name: 'paper-table-9',
  description: 'Table 9: SineGordonTime, d = 10…10K, STDE vs backward SDGD (looped and parallel), R = 10, published-tables batch sizes; 5 seeds × 10,000 steps',
  table: 'Table 9',
  timeoutS: PAPER_TIMEOUT_S,
  groups: semilinearGroups('sine-gordon-time'),
};
