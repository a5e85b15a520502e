/**
 * The general second-order operator L u = Σ_ij C_ij ∂²u/∂x_i∂x_j = D²u·C over the d spatial
 * coordinates, for any coefficient matrix C (method.md §4, paper Eq. 22).
 *
 * Only the symmetric part S = ½(C + Cᵀ) acts. S + λI is made positive definite (λ = 0 where S is;
 * else λ just past Gershgorin's bound on S's smallest eigenvalue) and factored as A·Aᵀ (Cholesky;
 * any factor with that product has the eigendecomposition's U·Σ^½ law), so that
 *   D²u·C = D²u·(A·Aᵀ) − λ·Δu.
 *  - stde, R = 0 (exact): Σ_k order 2 of the 2-jet (a_k, 0) over A's d columns, minus λ·Σ_i order 2 of (e_i, 0).
 *  - stde, R > 0: probes z with E[zzᵀ] = I (`--dist`): (1/R) Σ_r [order 2 of (A·z_r, 0) − λ·order 2 of (z_r, 0)],
 *    since E[(Az)ᵀH(Az)] = D²u·AAᵀ and E[zᵀHz] = Δu; one batch of 2R jets sharing the primal.
 *  - nested: every ∂²u/∂x_i∂x_j with C_ij + C_ji ≠ 0 by two nested reverse passes (exact; R ignored).
 */
import * as tf from '@tensorflow/tfjs';
import { byName } from '../engine/errors.ts';
import { applyTarget, evalTarget, type Target } from './target.ts';
import { probeJet } from './input-jets.ts';
import { derivative } from '../taylor/jet.ts';
import { sampleProbes, type ProbeDist } from '../sampling/directions.ts';
import type { Rng } from '../sampling/rng.ts';
import type { LaplacianRequest } from './estimator.ts';
import { nestedPartial, type Explanation } from './partials.ts';
import { multiIndex } from '../planner/multi-index.ts';

export interface SecondOrderRequest {
  target: Target;
  /** Points [N, d + extra]; the operator acts on the first d coordinates. */
  x: tf.Tensor2D;
  d: number;
  /** The coefficients C, d × d (row i, column j: the weight of ∂²u/∂x_i∂x_j). */
  C: number[][];
  /** Probes (stde); 0 = exact. */
  R: number;
  dist: ProbeDist;
  rng: Rng;
}

export interface SecondOrderResult {
  u: tf.Tensor1D;
  value: tf.Tensor1D;
}

export interface SecondOrderEstimator {
  name: string;
  summary: string;
  secondOrder(req: SecondOrderRequest): SecondOrderResult;
  explain(C: number[][], R: number): Explanation;
}

/** S = ½(C + Cᵀ), the part of C that D²u sees (the Hessian is symmetric). */
export function symmetricPart(C: number[][]): number[][] {
  return C.map((row, i) => row.map((c, j) => (c + C[j][i]) / 2));
}

/** The largest |entry| of a matrix. */
const largest = (M: number[][]) => Math.max(0, ...M.flat().map(Math.abs));

/** The lower-triangular L with L·Lᵀ = S, or null where S is not (numerically) positive definite. */
export function cholesky(S: number[][]): number[][] | null {
  const n = S.length;
  const L = S.map(() => new Array<number>(n).fill(0));
  const tiny = 1e-12 * largest(S); // a pivot this small, relative to S's scale, is a zero eigenvalue
  for (let j = 0; j < n; j++) {
    let diag = S[j][j];
    for (let k = 0; k < j; k++) diag -= L[j][k] ** 2;
    if (!(diag > tiny)) return null;
    L[j][j] = Math.sqrt(diag);
    for (let i = j + 1; i < n; i++) {
      let s = S[i][j];
      for (let k = 0; k < j; k++) s -= L[i][k] * L[j][k];
      L[i][j] = s / L[j][j];
    }
  }
  return L;
}

const factors = new WeakMap<number[][], { lambda: number; A: number[][] }>();

/**
 * λ ≥ 0 and A with A·Aᵀ = ½(C + Cᵀ) + λI: λ = 0 where the symmetric part is positive definite (or
 * zero: an antisymmetric C is the zero operator, A = 0). Computed once per matrix (an O(d³) factor).
 */
export function shiftedFactor(C: number[][]): { lambda: number; A: number[][] } {
  const cached = factors.get(C);
  if (cached) return cached;
  const S = symmetricPart(C);
  const scale = largest(S);
  let factor: { lambda: number; A: number[][] };
  const A = scale === 0 ? S : cholesky(S);
  if (A) factor = { lambda: 0, A };
  else {
    // Gershgorin: every eigenvalue of S is ≥ min_i (S_ii − Σ_{j≠i} |S_ij|); a margin past it keeps S + λI
    // definite. (Valid for any such λ; a larger one than −λ_min only adds the variance of the λ·Δu term.)
    const lower = Math.min(...S.map((row, i) => row[i] - row.reduce((s, v, j) => s + (j === i ? 0 : Math.abs(v)), 0)));
    const lambda = Math.max(0, -lower) + 1e-3 * scale;
    const shifted = cholesky(S.map((row, i) => row.map((v, j) => (i === j ? v + lambda : v))));
    if (!shifted) throw new Error('unreachable: a diagonally dominant matrix with a positive diagonal is positive definite');
    factor = { lambda, A: shifted };
  }
  factors.set(C, factor);
  return factor;
}

function laplacianRequest(req: SecondOrderRequest): LaplacianRequest {
  return { target: req.target, x: req.x, d: req.d, R: req.R, dist: req.dist, rng: req.rng };
}

/**
 * Σ_r w_r·(order 2 of the 2-jet (v_r, 0)) ÷ divisor over the rows v_r of each family, weighted w by
 * family (a family of weight 0 is not pushed): one pushforward of all rows, sharing the primal. Both
 * forms are A's family minus λ times the plain one: D²u·AAᵀ − λΔu.
 */
function weightedPushforward(req: SecondOrderRequest, weighted: [tf.Tensor2D, number][], divisor: number): SecondOrderResult {
  const families = weighted.filter(([, w]) => w !== 0);
  const V = tf.concat(families.map(([rows]) => rows)) as tf.Tensor2D;
  const weights = tf.tensor2d(families.flatMap(([rows, w]) => Array<number>(rows.shape[0]).fill(w)), [V.shape[0], 1]);
  const jet = applyTarget(req.target, probeJet({ ...laplacianRequest(req), probes: V }));
  return { u: jet.primal as tf.Tensor1D, value: tf.div(tf.sum(tf.mul(derivative(jet, 2), weights), 0), divisor) as tf.Tensor1D };
}

/** A's columns (and, where λ > 0, the d basis vectors weighted −λ): exact. */
function stdeExact(req: SecondOrderRequest): SecondOrderResult {
  const { lambda, A } = shiftedFactor(req.C);
  const columns = tf.transpose(tf.tensor2d(A)) as tf.Tensor2D; // row k = a_k
  return weightedPushforward(req, [[columns, 1], [tf.eye(req.d) as tf.Tensor2D, -lambda]], 1);
}

/** Probes z_r: A·z_r (and, where λ > 0, z_r weighted −λ), factor 1/R. */
function probedSecondOrder(req: SecondOrderRequest): SecondOrderResult {
  const { lambda, A } = shiftedFactor(req.C);
  const Z = sampleProbes(req.d, req.R, req.dist, req.rng); // [R, d]
  const AZ = tf.matMul(Z, tf.transpose(tf.tensor2d(A))) as tf.Tensor2D; // rows A·z_r
  return weightedPushforward(req, [[AZ, 1], [Z, -lambda]], req.R);
}

const factorText = (C: number[][]) => {
  const { lambda } = shiftedFactor(C);
  if (largest(symmetricPart(C)) === 0) return 'S = ½(C + Cᵀ) = 0 (C is antisymmetric): the operator is zero, A = 0, λ = 0';
  return lambda === 0
    ? 'S = ½(C + Cᵀ) is positive definite: S = A·Aᵀ (Cholesky), λ = 0'
    : `S = ½(C + Cᵀ) is not positive definite: S + λI = A·Aᵀ (Cholesky) with λ = ${lambda.toPrecision(6)} (past Gershgorin's bound)`;
};

export const stdeSecondOrder: SecondOrderEstimator = {
  name: 'stde',
  summary: "R = 0: 2-jets along A's columns (S + λI = A·Aᵀ) minus λ·Δu (exact); R > 0: probes z, 2-jets along A·z and z, factor 1/R (Eq. 22)",
  secondOrder: (req) => (req.R > 0 ? probedSecondOrder(req) : stdeExact(req)),
  explain(C, R) {
    const { lambda } = shiftedFactor(C);
    const d = C.length;
    const text =
      R > 0
        ? [
            `dense STDE (paper Eq. 22): ${R} probes z with E[zzᵀ] = I; ${factorText(C)}`,
            `  2-jets (A·z_r, 0)${lambda > 0 ? ' and (z_r, 0)' : ''}, one batch of ${lambda > 0 ? 2 * R : R}`,
            `  value = (1/${R})·Σ_r [order 2 of (A·z_r, 0)${lambda > 0 ? ` − ${lambda.toPrecision(6)}·order 2 of (z_r, 0)` : ''}]`,
          ].join('\n')
        : [
            `exact (paper Eq. 22 with the d columns of A): ${factorText(C)}`,
            `  2-jets (a_k, 0) for A's ${d} columns${lambda > 0 ? ` and (e_i, 0) for the ${d} coordinates` : ''}`,
            `  value = Σ_k order 2 of (a_k, 0)${lambda > 0 ? ` − ${lambda.toPrecision(6)}·Σ_i order 2 of (e_i, 0)` : ''}`,
          ].join('\n');
    return { text, json: { estimator: 'stde', probes: R, lambda, jets: R > 0 ? (lambda > 0 ? 2 * R : R) : lambda > 0 ? 2 * d : d } };
  },
};

/** ∂²u/∂x_i∂x_j for symbolic i, j. */
const MIXED = multiIndex({ i: 1, j: 1 });
const PURE = multiIndex({ i: 2 });

export const nestedSecondOrder: SecondOrderEstimator = {
  name: 'nested',
  summary: 'every ∂²u/∂x_i∂x_j with C_ij + C_ji ≠ 0 by two nested tf.grad calls, weighted and summed (exact; R ignored)',
  secondOrder(req) {
    const S = symmetricPart(req.C);
    const f = (y: tf.Tensor) => evalTarget(req.target, y);
    const parts: tf.Tensor[] = [];
    for (let i = 0; i < req.d; i++) {
      if (S[i][i] !== 0) parts.push(tf.mul(nestedPartial(f, req.x, PURE, { i }), S[i][i]));
      for (let j = i + 1; j < req.d; j++) if (S[i][j] !== 0) parts.push(tf.mul(nestedPartial(f, req.x, MIXED, { i, j }), 2 * S[i][j]));
    }
    const value = parts.length ? (tf.addN(parts) as tf.Tensor1D) : (tf.zeros([req.x.shape[0]]) as tf.Tensor1D);
    return { u: evalTarget(req.target, req.x), value };
  },
  explain(C) {
    const S = symmetricPart(C);
    const terms = S.reduce((n, row, i) => n + row.filter((v, j) => j >= i && v !== 0).length, 0);
    return {
      text: `nested reverse mode: ${terms} terms ∂²u/∂x_i∂x_j (i ≤ j, S_ij ≠ 0 for S = ½(C + Cᵀ)), 2 nested tf.grad calls each, weighted S_ii or 2·S_ij and summed`,
      json: { estimator: 'nested', terms },
    };
  },
};

export const SECOND_ORDER_ESTIMATORS: SecondOrderEstimator[] = [stdeSecondOrder, nestedSecondOrder];

export function getSecondOrderEstimator(name: string): SecondOrderEstimator {
  return byName(SECOND_ORDER_ESTIMATORS, name, 'second-order estimator');
}
