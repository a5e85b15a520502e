/**
 * Table 3 (method ablation, two-body Allen–Cahn, pdes.md §9): every SDGD baseline with R = 100, STDE
 * with R = 100 and the extra R = 16 row, and the exact forward Laplacian (R = 0). The two backward
 * SDGDs also run checkpointed (`nested-checkpointed`, `nested-batched-checkpointed`: the same estimate
 * and gradient, one dimension or one chunk of 4 on the tape at a time), since tfjs keeps all R
 * double-backwards on one tape and the WASM heap holds them only to d = 10² (looped) and 10³ (stacked).
 */
import type { Matrix } from '../runner/matrix.ts';
import { DIMS_100_TO_1M, INSEPARABLE, PAPER_TIMEOUT_S } from './paper-common.ts';

const base = { ...INSEPARABLE, pdes: ['allen-cahn-two-body'], dims: DIMS_100_TO_1M };

export const paperTable3: Matrix = {
  name: 'paper-table-3',
  description: 'Table 3: AllenCahnTwobody, d = 100…1M, SDGD baselines (R = 100; the backward ones also checkpointed), STDE (R = 100, 16), forward Laplacian; 5 seeds × 10,000 steps',
  table: 'Table 3',
  timeoutS: PAPER_TIMEOUT_S,
  groups: [
    { ...base, estimators: ['nested', 'nested-checkpointed', 'nested-batched', 'nested-batched-checkpointed', 'forward-over-backward'], R: [100] },
    { ...base, estimators: ['stde-sparse'], R: [100, 16] },
    { ...base, estimators: ['forward-laplacian'], R: [0] },
  ],
};
