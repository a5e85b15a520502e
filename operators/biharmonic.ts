/**
 * The biharmonic operator Δ²u = Σ_i ∂⁴u/∂x_i⁴ + 2 Σ_{i<j} ∂⁴u/∂x_i²∂x_j² over the d spatial
 * coordinates (method.md §4, §5 #8; decisions.md D4/D5).
 *
 *  - stde, R = 0 (exact): the sum of planned 4th-order terms. One symbolic plan for ∂⁴u/∂x_i²∂x_j²
 *    is bound to every unordered pair i ≤ j (weight 2 off the diagonal, 1 on it — the plan stays
 *    exact for i = j, where it reads ∂⁴u/∂x_i⁴), all pairs in one pushforward.
 *  - stde, R > 0: dense 4-jets (v, 0, 0, 0) with v ~ N(0, I_d); E[order 4] = 3Δ²u, so the
 *    estimate is (1/(3R)) Σ_r order 4. Gaussian only: Rademacher probes have expectation
 *    3Δ²u − 2Σ_i ∂⁴u/∂x_i⁴ (biased).
 *  - nested: every term by repeated reverse mode.
 */
import * as tf from '@tensorflow/tfjs';
import { byName } from '../engine/errors.ts';
import { applyTarget, evalTarget, type Target } from './target.ts';
import { probeJet } from './input-jets.ts';
import { derivative } from '../taylor/jet.ts';
import type { Rng } from '../sampling/rng.ts';
import { cachedPlan } from '../planner/plan.ts';
import { evaluatePlan } from '../planner/evaluate.ts';
import { explainJson, explainText } from '../planner/explain.ts';
import { multiIndex } from '../planner/multi-index.ts';
import { nestedPartial, type Explanation } from './partials.ts';

export interface BiharmonicRequest {
  target: Target;
  /** Points [N, d + extra]; the operator acts on the first d coordinates. */
  x: tf.Tensor2D;
  d: number;
  /** Gaussian probes (stde); 0 = exact. */
  R: number;
  rng: Rng;
}

export interface BiharmonicResult {
  u: tf.Tensor1D;
  value: tf.Tensor1D;
  /** Per-probe terms [R, N] summing to value (stochastic only). */
  terms?: tf.Tensor2D;
}

export interface BiharmonicEstimator {
  name: string;
  summary: string;
  biharmonic(req: BiharmonicRequest): BiharmonicResult;
  explain(d: number, R: number): Explanation;
}

/** ∂⁴u/∂x_i²∂x_j² for symbolic i, j: bound to the pairs below. */
const PAIR_TERM = multiIndex({ i: 2, j: 2 });

/** Unordered pairs i ≤ j with their weight in Δ²u. */
export function biharmonicPairs(d: number): { I: number[]; J: number[]; weight: number[] } {
  const I: number[] = [];
  const J: number[] = [];
  const weight: number[] = [];
  for (let i = 0; i < d; i++) {
    for (let j = i; j < d; j++) {
      I.push(i);
      J.push(j);
      weight.push(i === j ? 1 : 2);
    }
  }
  return { I, J, weight };
}

function exactPlanned(req: BiharmonicRequest): BiharmonicResult {
  const { I, J, weight } = biharmonicPairs(req.d);
  const r = evaluatePlan(cachedPlan([PAIR_TERM]), (xj) => applyTarget(req.target, xj), req.x, { i: I, j: J });
  const terms = r.values.get('i:2,j:2')!; // [pairs, N]
  const value = tf.sum(tf.mul(terms, tf.reshape(tf.tensor1d(weight), [-1, 1])), 0) as tf.Tensor1D;
  return { u: r.u, value };
}

function denseGaussian(req: BiharmonicRequest): BiharmonicResult {
  const u = applyTarget(req.target, probeJet({ ...req, dist: 'gaussian' }, 4));
  const terms = tf.div(derivative(u, 4), 3 * req.R) as tf.Tensor2D;
  return { u: u.primal as tf.Tensor1D, value: tf.sum(terms, 0) as tf.Tensor1D, terms };
}

export const stdeBiharmonic: BiharmonicEstimator = {
  name: 'stde',
  summary: 'R = 0: sum of planned 4th-order jet terms (exact); R > 0: dense Gaussian 4-jets, factor 1/(3R)',
  biharmonic: (req) => (req.R > 0 ? denseGaussian(req) : exactPlanned(req)),
  explain(d, R) {
    if (R > 0) {
      const text = [
        `dense STDE: ${R} Gaussian probes v ~ N(0, I_${d}), one 4-jet (v, 0, 0, 0) each, pushed as one batch`,
        '  order 4 = D⁴u[v, v, v, v], E[order 4] = 3·Δ²u',
        `  value = (Σ_r order 4) ÷ (3·${R})   (factor 1/(3R), decisions.md D5; Gaussian only, D4)`,
      ].join('\n');
      return { text, json: { estimator: 'stde', probes: R, dist: 'gaussian', order: 4, factor: `1/(3*${R})` } };
    }
    const plan = cachedPlan([PAIR_TERM]);
    const pairs = (d * (d + 1)) / 2;
    const text = [
      `exact: Δ²u = Σ_{i ≤ j} w_ij·∂⁴u/∂i²∂j² over ${pairs} pairs (w = 2 for i < j, 1 for i = j), one pushforward:`,
      explainText(plan),
      '(the plan is exact for i = j as well, where it reads ∂⁴u/∂x_i⁴)',
    ].join('\n');
    return { text, json: { estimator: 'stde', pairs, plan: explainJson(plan) } };
  },
};

export const nestedBiharmonic: BiharmonicEstimator = {
  name: 'nested',
  summary: 'every ∂⁴u/∂x_i²∂x_j² by repeated reverse mode (4 nested tf.grad), summed (exact; R ignored)',
  biharmonic(req) {
    const { I, J, weight } = biharmonicPairs(req.d);
    const f = (y: tf.Tensor) => evalTarget(req.target, y);
    const parts = I.map((i, p) => tf.mul(nestedPartial(f, req.x, PAIR_TERM, { i, j: J[p] }), weight[p]));
    return { u: evalTarget(req.target, req.x), value: tf.addN(parts) as tf.Tensor1D };
  },
  explain(d) {
    const pairs = (d * (d + 1)) / 2;
    return {
      text: `nested reverse mode: ${pairs} terms ∂⁴u/∂x_i²∂x_j² (i ≤ j), 4 nested tf.grad calls each, weighted 2 (i < j) or 1 (i = j) and summed`,
      json: { estimator: 'nested', pairs },
    };
  },
};

export const BIHARMONIC_ESTIMATORS: BiharmonicEstimator[] = [stdeBiharmonic, nestedBiharmonic];

export function getBiharmonicEstimator(name: string): BiharmonicEstimator {
  return byName(BIHARMONIC_ESTIMATORS, name, 'biharmonic estimator');
}
