/**
 * The inseparable, effectively high-dimensional PDEs (pdes.md §2): L u = Δu + N(u) = f on the unit
 * ball with u = 0 on the sphere, enforced by the ansatz (1 − ‖x‖²)·NN(x). One factory; each PDE
 * file picks the exact solution (two- or three-body) and N. The source is analytic:
 * f = Δu* + N(u*), with Δu* in closed form (three-body: exact by default, the published
 * chain-rule-free version as an opt-in, D1).
 */
import * as tf from '@tensorflow/tfjs';
import type { PDE, Problem, TrainDefaults, SetupContext } from './pde.ts';
import { SAMPLER_OPTION, SOURCE_OPTION } from './options.ts';
import { estimateLaplacian, laplacianMethods } from './methods.ts';
import { plusN, type Nonlinearity } from './nonlinearity.ts';
import { twoBody } from './solutions/two-body.ts';
import { threeBody, type ThreeBodySource } from './solutions/three-body.ts';
import { coefficients, type Solution } from './solutions/solution.ts';
import { byRowBlocks } from './row-blocks.ts';
import { unitBall, type BallSampler } from '../../sampling/domains.ts';
import { zeroBoundaryBall } from '../../operators/target.ts';

export type Body = 'two-body' | 'three-body';

export interface InseparableSpec {
  name: string;
  paperId: string;
  body: Body;
  nonlinearity: Nonlinearity;
  /** The operator as text, for `list`. */
  operator: string;
}

export const INSEPARABLE_DEFAULTS: Omit<TrainDefaults, 'R'> = {
  width: 128,
  depth: 4,
  points: 100,
  boundaryPoints: 0,
  steps: 10000,
  evalEvery: 1000,
  testPoints: 20000,
  schedule: { kind: 'linear' },
};

/** The exact solution, its source and the labels, shared with the gPINN variants. */
export interface InseparableSetup {
  solution: Solution;
  /** f(x) = Δu*(x) + N(u*(x)) at [N, d] points. */
  source(x: tf.Tensor2D): tf.Tensor1D;
  sampler: BallSampler;
  labels: Record<string, string>;
  /** Releases the coefficient tensor. */
  dispose(): void;
}

export function inseparableSetup(body: Body, n: Nonlinearity, ctx: SetupContext): InseparableSetup {
  const { d, options } = ctx;
  const sampler = (options.sampler ?? SAMPLER_OPTION.default) as BallSampler;
  const labels: Record<string, string> = { sampler };
  const c = coefficients(ctx.coefficients, d, body === 'two-body' ? d - 1 : d - 2);
  let solution: Solution;
  let evaluate: Solution['evaluate'];
  if (body === 'two-body') {
    solution = twoBody(c, d);
    evaluate = solution.evaluate;
  } else {
    const s = threeBody(c, d);
    const variant = (options.source ?? SOURCE_OPTION.default) as ThreeBodySource;
    solution = s;
    evaluate = (x) => s.evaluate(x, variant);
    labels.source = variant;
    if (variant === 'published-incorrect') labels.variant = 'published-incorrect source (D1: chain-rule factors dropped, as in the published code)';
  }
  const source = (x: tf.Tensor2D) =>
    byRowBlocks(x, (rows) => {
      const { u, laplacian } = evaluate(rows);
      return plusN(n, laplacian, u) as tf.Tensor1D;
    });
  return { solution, source, sampler, labels, dispose: () => c.dispose() };
}

export function inseparable(spec: InseparableSpec): PDE {
  const three = spec.body === 'three-body';
  return {
    name: spec.name,
    paperId: spec.paperId,
    summary: `${spec.operator} = f on the unit ball, ${spec.body} exact solution, zero-boundary ansatz (pdes.md §2)`,
    terms: ['laplacian'],
    minDim: three ? 3 : 2,
    timeDependent: false,
    options: three ? [SAMPLER_OPTION, SOURCE_OPTION] : [SAMPLER_OPTION],
    methods: laplacianMethods(true),
    accuracy: true,
    defaults: (d) => ({ ...INSEPARABLE_DEFAULTS, R: Math.min(16, d) }),
    setup(ctx): Problem<{ x: tf.Tensor2D; f: tf.Tensor1D }> {
      const { d } = ctx;
      const s = inseparableSetup(spec.body, spec.nonlinearity, ctx);
      const domain = unitBall(d, s.sampler);
      return {
        domain,
        ansatz: zeroBoundaryBall(d),
        exact: s.solution.u,
        labels: s.labels,
        dispose: s.dispose,
        sample(rng, { points }) {
          const x = domain.interior(points, rng.child('points'));
          return { x, f: s.source(x) };
        },
        residuals({ x, f }, c) {
          const est = estimateLaplacian(c, x, d);
          return [{ name: 'pde', weight: 1, r: tf.sub(plusN(spec.nonlinearity, est.value, est.u), f) }];
        },
      };
    },
  };
}
