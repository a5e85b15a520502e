/**
 * Table 8: AllenCahnTime, d = 10…10K. The terminal condition is the per-point max (decisions.md D8);
 * the paper used the batch max, so its 10-D errors are not expected to match.
 */
import type { Matrix } from '../runner/matrix.ts';
import { PAPER_TIMEOUT_S, semilinearGroups } from './paper-common.ts';

export const paperTable8: Matrix = {
  name: 'paper-table-8',
  description: 'Table 8: AllenCahnTime, d = 10…10K, STDE vs backward SDGD (looped and parallel), R = 10, published-tables batch sizes, per-point terminal max (D8); 5 seeds × 10,000 steps',
  table: 'Table 8',
  timeoutS: PAPER_TIMEOUT_S,
  groups: semilinearGroups('allen-cahn-time'),
};
