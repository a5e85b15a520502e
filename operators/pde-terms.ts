/**
 * The derivative terms of every PDE in pdes.md, as named multi-indices over named inputs, for the
 * planner (one stacked pushforward per PDE) and its nested counterpart. Inputs are named so that
 * `--explain`-style plans read naturally; `coordinates` binds them to input columns, and sampled
 * names (the gPINN pair i, j; the Laplacian index i) are bound per call to R indices.
 */
import type * as tf from '@tensorflow/tfjs';
import { parseMultiIndex, type MultiIndex } from '../planner/multi-index.ts';
import type { Binding } from '../planner/evaluate.ts';
import type { Target } from './target.ts';
import { plannedPartials, type PartialEstimator } from './partials.ts';

export interface TermSet {
  summary: string;
  /** Fixed inputs: name → column (time last). Names absent here must be bound by the caller. */
  coordinates: Record<string, number>;
  /** Sampled names the caller binds to R indices. */
  sampled: string[];
  terms: Record<string, string>;
}

const gkdvX = Object.fromEntries([1, 2, 3, 4, 5, 6, 7].map((k) => [k === 1 ? 'ux' : `u${'x'.repeat(k)}`, `x:${k}`]));

export const PDE_TERMS: Record<string, TermSet> = {
  kdv2d: {
    summary: 'KdV2d residual u_ty + u_xxxy + 3(u_xy u_x + u_y u_xx) − u_xx + 2u_yy, inputs (x, y, t)',
    coordinates: { x: 0, y: 1, t: 2 },
    sampled: [],
    terms: { ux: 'x:1', uy: 'y:1', uxx: 'x:2', uxy: 'x:1,y:1', uyy: 'y:2', uty: 't:1,y:1', uxxxy: 'x:3,y:1' },
  },
  kp2d: {
    summary: 'KP2d residual u_tx + 6u_x² + 6u u_xx + u_xxxx + 3u_yy, inputs (x, y, t)',
    coordinates: { x: 0, y: 1, t: 2 },
    sampled: [],
    terms: { ux: 'x:1', uxx: 'x:2', uxxx: 'x:3', uxxxx: 'x:4', uyy: 'y:2', utx: 't:1,x:1' },
  },
  gkdv1d: {
    summary: 'gKdV1d residual and its x/t derivatives (R, R_x, R_t), inputs (x, t)',
    coordinates: { x: 0, t: 1 },
    sampled: [],
    terms: { ...gkdvX, ut: 't:1', utx: 't:1,x:1', utxxx: 't:1,x:3', utt: 't:2' },
  },
  gpinn: {
    summary: 'gPINN pair terms (pdes.md §3): u_ii, u_j and u_iij for sampled pairs (i_k, j_k)',
    coordinates: {},
    sampled: ['i', 'j'],
    terms: { uii: 'i:2', uj: 'j:1', uiij: 'i:2,j:1' },
  },
  parabolic: {
    summary: 'u_t and the sampled Laplacian terms u_ii of a parabolic operator; bind t to the time column',
    coordinates: {},
    sampled: ['i'],
    terms: { ut: 't:1', uii: 'i:2' },
  },
};

export function termIndices(set: TermSet): MultiIndex[] {
  return Object.values(set.terms).map(parseMultiIndex);
}

/**
 * Every term of a set at points x: [N] for fixed inputs, [R, N] for sampled ones.
 * `estimator` is plannedPartials (default) or nestedPartials (the "Backward" baseline).
 */
export function evaluateTermSet(
  set: TermSet,
  target: Target,
  x: tf.Tensor2D,
  bind: Record<string, Binding> = {},
  estimator: PartialEstimator = plannedPartials,
): { u: tf.Tensor1D; values: Record<string, tf.Tensor> } {
  const r = estimator.partials({ target, x, terms: termIndices(set), bind: { ...set.coordinates, ...bind } });
  return { u: r.u, values: Object.fromEntries(Object.keys(set.terms).map((name, k) => [name, r.values[k]])) };
}

