/**
 * Table 11 (high-order PDEs, speed only; pdes.md §5, §9): KdV2d, KP2d and gKdV1d with nested reverse
 * mode ("Backward") against STDE — for KdV2d both the published single 13-jet (speed only, its
 * residual is contaminated; D2) and the correct 9+3+3 jets (STDE*). Base net L = 4, h = 128; then
 * L ∈ {8, 16} and h ∈ {256, 512, 1024}. The paper states no step count: its numbers are compared
 * with our steady-state it/s over 1000 steps (decisions.md O5), one seed (no accuracy is measured).
 */
import type { Matrix, MatrixGroup } from '../runner/matrix.ts';
import { PAPER_TIMEOUT_S } from './paper-common.ts';

const nets: Pick<MatrixGroup, 'widths' | 'depths'>[] = [
  { widths: [128, 256, 512, 1024], depths: [4] },
  { widths: [128], depths: [8, 16] },
];

const pdes: Pick<MatrixGroup, 'pdes' | 'dims' | 'estimators'>[] = [
  { pdes: ['kdv-2d'], dims: [2], estimators: ['nested', 'stde-13jet', 'stde-sparse'] },
  { pdes: ['kp-2d'], dims: [2], estimators: ['nested', 'stde-sparse'] },
  { pdes: ['gkdv-1d'], dims: [1], estimators: ['nested', 'stde-sparse'] },
];

export const paperTable11: Matrix = {
  name: 'paper-table-11',
  description: 'Table 11: KdV2d, KP2d, gKdV1d speed, backward vs STDE (KdV2d: 13-jet and 9+3+3 jets), L = 4/8/16, h = 128…1024; 1 seed × 1000 steps',
  table: 'Table 11',
  timeoutS: PAPER_TIMEOUT_S,
  groups: pdes.flatMap((p) => nets.map((n) => ({ ...p, ...n, R: [0], seeds: [0], steps: 1000, points: 100 }))),
};
