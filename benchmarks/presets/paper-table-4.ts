/** Table 4 (two-body Poisson, pdes.md §9): backward SDGD (R = 100) against STDE (R = 16). */
import type { Matrix } from '../runner/matrix.ts';
import { DIMS_100_TO_1M, INSEPARABLE, PAPER_TIMEOUT_S } from './paper-common.ts';

const base = { ...INSEPARABLE, pdes: ['poisson-two-body'], dims: DIMS_100_TO_1M };

export const paperTable4: Matrix = {
  name: 'paper-table-4',
  description: 'Table 4: PoissonTwobody, d = 100…1M, backward SDGD (R = 100) vs STDE (R = 16); 5 seeds × 10,000 steps',
  table: 'Table 4',
  timeoutS: PAPER_TIMEOUT_S,
  groups: [
    { ...base, estimators: ['nested'], R: [100] },
    { ...base, estimators: ['stde-sparse'], R: [16] },
  ],
};
