/**
 * The high-order, low-dimensional PDEs (pdes.md §5): speed workloads only. No exact solution (the
 * published one is a placeholder), no ansatz, no boundary loss, no dimension sampling (R = 0).
 * Inputs (x[, y], t) with time last; (x, y) in the unit disk (radius-uniform), x ∈ [−1, 1] in 1-D
 * (the same sampler: a random sign times a uniform radius), t ~ U[0, 1]. Each PDE file supplies its
 * residuals for every method it accepts: STDE jets or nested reverse mode ("backward").
 */
import type * as tf from '@tensorflow/tfjs';
import type { PDE, Problem, ResidualPart } from './pde.ts';
import type { Target } from '../../operators/target.ts';
import { unitBall } from '../../sampling/domains.ts';
import { UsageError } from '../../engine/errors.ts';

export interface HighOrderSpec {
  name: string;
  paperId: string;
  summary: string;
  dim: number;
  methods: string[];
  schemes?: Record<string, string>;
  /** Labels a method's results must carry (e.g. the contaminated 13-jet). */
  labels?(method: string): Record<string, string>;
  residuals(target: Target, x: tf.Tensor2D, method: string): ResidualPart[];
}

export function highOrder(spec: HighOrderSpec): PDE {
  return {
    name: spec.name,
    paperId: spec.paperId,
    summary: `${spec.summary} (speed only; pdes.md §5)`,
    terms: ['high-order'],
    fixedDim: spec.dim,
    minDim: spec.dim,
    timeDependent: true,
    options: [],
    methods: spec.methods,
    schemes: spec.schemes,
    accuracy: false,
    defaults: () => ({
      width: 128,
      depth: 4,
      points: 100,
      boundaryPoints: 0,
      steps: 1000,
      R: 0,
      evalEvery: 1000,
      testPoints: 0,
      schedule: { kind: 'linear' },
    }),
    validate({ R }) {
      if (R !== 0) throw new UsageError(`${spec.name} uses no dimension sampling: R must be 0, got ${R} (pdes.md §5)`);
    },
    setup({ method }): Problem<{ x: tf.Tensor2D }> {
      const domain = unitBall(spec.dim, 'radius-uniform', { T: 1 });
      return {
        domain,
        labels: { accuracy: 'none (speed workload; no exact solution)', ...spec.labels?.(method) },
        sample: (rng, { points }) => ({ x: domain.interior(points, rng.child('points')) }),
        residuals: ({ x }, c) => spec.residuals(c.target, x, c.method.name),
      };
    },
  };
}
