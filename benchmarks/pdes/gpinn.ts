/**
 * Amortized gPINN variants of the two-body PDEs (pdes.md §3, D10–D12). Index sets I and J are drawn
 * independently (uniform without replacement, size R > 0, shared by the points of a step) and
 * paired element-wise. Loss: mean(r²) + c_g·mean over points and pairs of g_k², with
 *   r   = (d/R)·Σ_k u_{i_k i_k} + N(u) − f,
 *   g_k = u_{i_k i_k j_k} + N′(u)·u_{j_k} − ∂_{j_k} f   (no d scaling: a heuristic regulariser,
 *         neither the paper's Eq. 80 double sum nor an unbiased estimate of ∂_j R; D10).
 * stde-sparse takes every term from one batched 7-jet; the SDGD baselines take the Laplacian from
 * their estimator (its own, third index set) and the pair terms from the JVP of the HVP
 * (forward-over-backward: the paper's "JVP-HVP") or from nested reverse mode (nested, nested-batched).
 * ∇f is the reverse-mode gradient of the analytic source.
 */
import * as tf from '@tensorflow/tfjs';
import type { PDE, Problem } from './pde.ts';
import { SAMPLER_OPTION } from './options.ts';
import { DATA_FIT, estimateLaplacian } from './methods.ts';
import { INSEPARABLE_DEFAULTS, inseparableSetup } from './inseparable.ts';
import { plusN, type Nonlinearity } from './nonlinearity.ts';
import { pairTermsByJets, pairTermsByJvpHvp, pairTermsByNestedReverse } from './terms/gpinn-terms.ts';
import { byRowBlocks } from './row-blocks.ts';
import { unitBall } from '../../sampling/domains.ts';
import { sampleIndices, samplingFactor } from '../../sampling/directions.ts';
import { zeroBoundaryBall } from '../../operators/target.ts';
import { UsageError } from '../../engine/errors.ts';

export const GPINN_WEIGHT = 0.1;

/** How each method obtains the pair terms (`how` labels its results). */
const PAIR_METHODS: Record<string, { how: string; terms: typeof pairTermsByJets }> = {
  'stde-sparse': { how: '7-jet (v2 = e_i, v3 = e_j)', terms: pairTermsByJets },
  'forward-over-backward': { how: 'JVP-HVP (forward-over-backward)', terms: pairTermsByJvpHvp },
  nested: { how: 'nested reverse mode', terms: pairTermsByNestedReverse },
  'nested-batched': { how: 'nested reverse mode', terms: pairTermsByNestedReverse },
};

export interface GpinnSpec {
  name: string;
  paperId: string;
  nonlinearity: Nonlinearity;
  operator: string;
}

interface Data {
  x: tf.Tensor2D;
  f: tf.Tensor1D;
  /** ∇f [N, d]. */
  gradF: tf.Tensor2D;
}

export function gpinn(spec: GpinnSpec): PDE {
  return {
    name: spec.name,
    paperId: spec.paperId,
    summary: `${spec.operator} = f (two-body) with the amortized gPINN term, element-wise (i, j) pairs, c_g = ${GPINN_WEIGHT} (pdes.md §3)`,
    terms: ['laplacian', 'gpinn'],
    minDim: 2,
    timeDependent: false,
    options: [SAMPLER_OPTION],
    methods: [...Object.keys(PAIR_METHODS), DATA_FIT],
    accuracy: true,
    defaults: (d) => ({ ...INSEPARABLE_DEFAULTS, steps: 20000, R: Math.min(16, d) }),
    validate({ R, method }) {
      if (method !== DATA_FIT && R <= 0) throw new UsageError(`${spec.name} needs R > 0 sampled (i, j) pairs (pdes.md §3)`);
    },
    setup(ctx): Problem<Data> {
      const { d } = ctx;
      const s = inseparableSetup('two-body', spec.nonlinearity, ctx);
      const domain = unitBall(d, s.sampler);
      return {
        domain,
        ansatz: zeroBoundaryBall(d),
        exact: s.solution.u,
        labels: { ...s.labels, pairing: 'element-wise (i_k, j_k), D10', gpinn_terms: PAIR_METHODS[ctx.method]?.how ?? 'none' },
        dispose: s.dispose,
        sample(rng, { points }) {
          const x = domain.interior(points, rng.child('points'));
          const gradF = byRowBlocks(x, (rows) => tf.grad((y: tf.Tensor) => tf.sum(s.source(y as tf.Tensor2D)))(rows) as tf.Tensor2D);
          return { x, f: s.source(x), gradF };
        },
        residuals({ x, f, gradF }, c) {
          const I = sampleIndices(d, c.R, c.rng.child('I'));
          const J = sampleIndices(d, c.R, c.rng.child('J'));
          const { u, uii, uj, uiij } = PAIR_METHODS[c.method.name].terms(c.target, x, I, J);
          // STDE reads the Laplacian terms off the same 7-jets; a baseline asks its estimator (its own index set).
          const laplacian = uii
            ? tf.mul(tf.sum(uii, 0), samplingFactor(d, c.R))
            : estimateLaplacian(c, x, d, c.rng.child('laplacian')).value;
          const r = tf.sub(plusN(spec.nonlinearity, laplacian, u), f);
          const dN = spec.nonlinearity.dN(u);
          const fJ = tf.transpose(tf.gather(gradF, J, 1)); // [R, N]
          const g = tf.sub(dN === null ? uiij : tf.add(uiij, tf.mul(dN, uj)), fJ);
          return [
            { name: 'pde', weight: 1, r },
            { name: 'gpinn', weight: GPINN_WEIGHT, r: g, keepSquare: true },
          ];
        },
      };
    },
  };
}
