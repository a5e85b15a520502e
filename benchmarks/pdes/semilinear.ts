/**
 * Semilinear parabolic PDEs (pdes.md §4), in the backward-time convention of the published code:
 * u_t + Δu + N(u) = 0 on ℝ^d × [0, T], T = 0.3, terminal data u(x, T) = g(x); accuracy is the
 * relative L1 error of u(0, 0) against the published multilevel-Picard reference, which exists
 * only for d ∈ {10, 100, 1000, 10000}.
 *
 * u_t comes from reverse mode; Δu from the chosen estimator (dimension sampling, R = 10).
 * Loss: mean(r²) + 20·[mean((g − u)²) + 0.05·G] on terminal points, where G is the mean over
 * points and coordinates of (∂_k u − ∂_k g)² (published-tables) or the squared norm averaged over
 * points (paper-text, paper Eq. 56) — open point O1, proposed default.
 * SineGordonTime under published-tables solves for U = d·u (U_t + ΔU + d·sin(U/d) = 0, terminal
 * d·g) as the published code does (O2); the relative error is unchanged.
 */
import * as tf from '@tensorflow/tfjs';
import type { PDE, Problem, TrainDefaults } from './pde.ts';
import { PRESET_OPTION, SEMILINEAR_SAMPLER_OPTION } from './options.ts';
import { laplacianMethods, estimateLaplacian } from './methods.ts';
import { column, columns, inputGradient } from '../../operators/reverse.ts';
import { semilinear as semilinearDomain, semilinearTrajectories } from '../../sampling/domains.ts';
import { evalTarget } from '../../operators/target.ts';
import { UsageError } from '../../engine/errors.ts';

export const SEMILINEAR_T = 0.3;
/** Steps of a path of the optional Brownian-path sampler (pdes.md §4.1: n_t = 20, dt = T/20). */
export const PATH_STEPS = 20;
const TERMINAL_WEIGHT = 20;
const GRADIENT_WEIGHT = 0.05;

export interface SemilinearSpec {
  name: string;
  paperId: string;
  operator: string;
  /** N(u) in u_t + Δu + N(u) = 0. */
  N(u: tf.Tensor): tf.Tensor;
  /** Terminal data g at spatial points [n, d] → [n]. */
  g(x: tf.Tensor): tf.Tensor1D;
  /** Published reference u(0, 0) by dimension. */
  references: Record<number, number>;
  /** Published-tables preset trains on U = d·u (SineGordonTime). */
  scaledByDimension?: boolean;
  /** Labels every result of this PDE carries. */
  labels?: Record<string, string>;
}

export type Preset = 'published-tables' | 'paper-text';

const PRESETS: Record<Preset, Pick<TrainDefaults, 'points' | 'boundaryPoints' | 'schedule'>> = {
  'published-tables': { points: 100, boundaryPoints: 20, schedule: { kind: 'exponential', rate: 0.9995, transition: 'run' } },
  'paper-text': { points: 2000, boundaryPoints: 100, schedule: { kind: 'exponential', rate: 0.9995, transition: 1 } },
};

/** The published reference u(0, 0) of a semilinear PDE at dimension d; refused where none exists. */
export function semilinearReference(spec: Pick<SemilinearSpec, 'name' | 'references'>, d: number): number {
  const ref = spec.references[d];
  if (ref === undefined) {
    const dims = Object.keys(spec.references).join(', ');
    throw new UsageError(`${spec.name}: no reference value for d = ${d} (published references exist only for d ∈ {${dims}})`);
  }
  return ref;
}

interface Data {
  x: tf.Tensor2D;
  xb: tf.Tensor2D;
  /** s·g and s·∇g at the terminal points (s = output scale). */
  gb: tf.Tensor1D;
  gradGb: tf.Tensor2D;
}

export function semilinear(spec: SemilinearSpec): PDE {
  return {
    name: spec.name,
    paperId: spec.paperId,
    summary: `u_t + ${spec.operator} = 0, T = ${SEMILINEAR_T}, terminal data g; rel. L1 error at (0, 0) (pdes.md §4)`,
    terms: ['laplacian', 'time-derivative', 'gradient'],
    minDim: 1,
    dims: Object.keys(spec.references).map(Number),
    timeDependent: true,
    options: [PRESET_OPTION, SEMILINEAR_SAMPLER_OPTION],
    methods: laplacianMethods(false),
    accuracy: true,
    defaults: (d, options) => ({
      width: 1024,
      depth: 4,
      steps: 10000,
      R: Math.min(10, d),
      evalEvery: 100,
      testPoints: 1,
      ...PRESETS[(options.preset ?? PRESET_OPTION.default) as Preset],
    }),
    validate: ({ d }) => void semilinearReference(spec, d),
    setup(ctx): Problem<Data> {
      const { d } = ctx;
      const preset = (ctx.options.preset ?? PRESET_OPTION.default) as Preset;
      const reference = semilinearReference(spec, d);
      const s = spec.scaledByDimension && preset === 'published-tables' ? d : 1;
      const N = (U: tf.Tensor) => (s === 1 ? spec.N(U) : tf.mul(spec.N(tf.div(U, s)), s));
      const paths = ctx.options.sampler === 'brownian-paths';
      const domain = paths ? semilinearTrajectories(d, SEMILINEAR_T, PATH_STEPS) : semilinearDomain(d, SEMILINEAR_T);
      const scaledG = (y: tf.Tensor) => (s === 1 ? spec.g(y) : (tf.mul(spec.g(y), s) as tf.Tensor1D));
      // paper-text: squared norm over coordinates (×d on the coordinate mean); published-tables: the mean.
      const gradWeight = TERMINAL_WEIGHT * GRADIENT_WEIGHT * (preset === 'paper-text' ? d : 1);
      const sampling = paths ? `points along paths of √2·W from 0, ${PATH_STEPS} steps of T/${PATH_STEPS} (pdes.md §4.1)` : 'x ~ N(0, 2t I) (D9)';
      const labels: Record<string, string> = { preset, sampling, ...spec.labels };
      if (s !== 1) labels.scaling = 'solves for U = d·u as published (O2)';
      return {
        domain,
        labels,
        pointReference: { point: Array(d + 1).fill(0), value: reference, outputScale: s },
        sample(rng, { points, boundaryPoints }) {
          const x = domain.interior(points, rng.child('points'));
          const xb = domain.boundary(boundaryPoints, rng.child('terminal'));
          const spatial = columns(xb, 0, d);
          return { x, xb, gb: scaledG(spatial), gradGb: tf.grad((y: tf.Tensor) => tf.sum(scaledG(y)))(spatial) as tf.Tensor2D };
        },
        residuals({ x, xb, gb, gradGb }, c) {
          const est = estimateLaplacian(c, x, d);
          const ut = column(inputGradient(c.target, x), d);
          const r = tf.add(tf.add(ut, est.value), N(est.u));
          const gradUb = columns(inputGradient(c.target, xb), 0, d);
          return [
            { name: 'pde', weight: 1, r },
            { name: 'terminal', weight: TERMINAL_WEIGHT, r: tf.sub(evalTarget(c.target, xb), gb) },
            { name: 'terminal-gradient', weight: gradWeight, r: tf.sub(gradUb, gradGb) },
          ];
        },
      };
    },
  };
}
