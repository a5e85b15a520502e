/**
 * Table 12 (amortized gPINN; pdes.md §3, §9, decisions.md D10–D11, O5): AllenCahn and SineGordon
 * two-body with the gPINN term, STDE against the JVP-HVP baseline (forward-over-backward Laplacian,
 * reverse-mode pair terms), R = 16 (not stated in the paper; the published example's value),
 * 20,000 steps; and the "None" rows: the same PDEs without the gPINN term, also 20,000 steps.
 */
import type { Matrix } from '../runner/matrix.ts';
import { INSEPARABLE, PAPER_TIMEOUT_S } from './paper-common.ts';

const base = { ...INSEPARABLE, steps: 20_000, dims: [100, 1_000, 10_000, 100_000], R: [16] };

export const paperTable12: Matrix = {
  name: 'paper-table-12',
  description: 'Table 12: AllenCahn/SineGordon two-body gPINN, d = 100…100K, STDE vs JVP-HVP (R = 16), and without the gPINN term; 5 seeds × 20,000 steps',
  table: 'Table 12',
  timeoutS: PAPER_TIMEOUT_S,
  groups: [
    { ...base, pdes: ['allen-cahn-two-body-gpinn', 'sine-gordon-two-body-gpinn'], estimators: ['stde-sparse', 'forward-over-backward'] },
    { ...base, pdes: ['allen-cahn-two-body', 'sine-gordon-two-body'], estimators: ['stde-sparse'], variant: 'no gPINN term' },
  ],
};
