/** Table 5 (two-body Sine–Gordon, pdes.md §9): backward SDGD (R = 100) against STDE (R = 16). */
import type { Matrix } from '../runner/matrix.ts';
import { DIMS_100_TO_1M, INSEPARABLE, PAPER_TIMEOUT_S } from './paper-common.ts';

const base = { ...INSEPARABLE, pdes: ['sine-gordon-two-body'], dims: DIMS_100_TO_1M };

export const paperTable5: Matrix = {
  name: 'paper-table-5',
  description: 'Table 5: SineGordonTwobody, d = 100…1M, backward SDGD (R = 100) vs STDE (R = 16); 5 seeds × 10,000 steps',
  table: 'Table 5',
  timeoutS: PAPER_TIMEOUT_S,
  groups: [
    { ...base, estimators: ['nested'], R: [100] },
    { ...base, estimators: ['stde-sparse'], R: [16] },
  ],
};
