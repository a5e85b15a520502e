/**
 * Terminal-value problems of the published code's extra PDEs (pdes.md §6): u_t + F(u, ∇u, ∇²u) = 0
 * on ℝ^d × [0, T], T = 1, u(x, T) = g(x), Gaussian sampler, no dimension sampling by default
 * (R = 0). The terminal condition is a hard-constraint ansatz (default) or, with --terminal loss,
 * the boundary loss of pdes.md §1.1 with weight 20 on terminal points (x ~ N(0, I), t = T).
 */
import * as tf from '@tensorflow/tfjs';
import type { DerivativeTerm, LossContext, PDE, Problem } from './pde.ts';
import { TERMINAL_OPTION } from './options.ts';
import { INSEPARABLE_DEFAULTS } from './inseparable.ts';
import { gaussian } from '../../sampling/domains.ts';
import { evalTarget, type Ansatz } from '../../operators/target.ts';
import type { Jet, Operand } from '../../taylor/ops.ts';

export const TERMINAL_T = 1;
const TERMINAL_WEIGHT = 20;

export interface TerminalValueSpec {
  name: string;
  paperId: string;
  summary: string;
  terms: DerivativeTerm[];
  methods: string[];
  /** Terminal data g on inputs (x, t), in the jet algebra. */
  g(x: Operand, d: number): Jet;
  /** The hard-constraint ansatz u = a·NN + b that satisfies u(·, T) = g. */
  ansatz(d: number): Ansatz;
  exact?(x: Operand, d: number): Jet;
  /** Reference solution without closed form (evaluation only). */
  reference?(d: number): (x: tf.Tensor2D) => tf.Tensor1D;
  testPoints?: number;
  /** The PDE residual at interior points. */
  residual(x: tf.Tensor2D, d: number, c: LossContext): tf.Tensor;
}

export function terminalValue(spec: TerminalValueSpec): PDE {
  const useLoss = (o: Record<string, string>) => (o.terminal ?? TERMINAL_OPTION.default) === 'loss';
  return {
    name: spec.name,
    paperId: spec.paperId,
    summary: `${spec.summary}; T = ${TERMINAL_T}, Gaussian sampler (pdes.md §6; no results in the paper)`,
    terms: spec.terms,
    minDim: 1,
    timeDependent: true,
    options: [TERMINAL_OPTION],
    methods: spec.methods,
    accuracy: true,
    defaults: (_d, o) => ({
      ...INSEPARABLE_DEFAULTS,
      R: 0,
      boundaryPoints: useLoss(o) ? INSEPARABLE_DEFAULTS.points : 0,
      testPoints: spec.testPoints ?? INSEPARABLE_DEFAULTS.testPoints,
    }),
    setup({ d, options }): Problem<{ x: tf.Tensor2D; xb?: tf.Tensor2D; gb?: tf.Tensor1D }> {
      const domain = gaussian(d, TERMINAL_T);
      const loss = useLoss(options);
      return {
        domain,
        ansatz: loss ? undefined : spec.ansatz(d),
        exact: spec.exact && ((x) => spec.exact!(x, d)),
        reference: spec.reference?.(d),
        labels: { terminal: loss ? 'loss (weight 20)' : 'ansatz' },
        sample(rng, { points, boundaryPoints }) {
          const x = domain.interior(points, rng.child('points'));
          if (!loss || boundaryPoints === 0) return { x };
          const xb = domain.boundary(boundaryPoints, rng.child('terminal'));
          return { x, xb, gb: spec.g(xb, d).primal as tf.Tensor1D };
        },
        residuals({ x, xb, gb }, c) {
          const parts = [{ name: 'pde', weight: 1, r: spec.residual(x, d, c) }];
          if (xb && gb) parts.push({ name: 'terminal', weight: TERMINAL_WEIGHT, r: tf.sub(evalTarget(c.target, xb), gb) });
          return parts;
        },
      };
    },
  };
}
