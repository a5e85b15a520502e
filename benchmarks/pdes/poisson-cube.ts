/**
 * Poisson on the unit cube (pdes.md §6, paper id Poisson; in the published code, no results in the
 * paper): Δu = f on [0, 1]^d, exact u* = (1/d)·Σ_i exp(x_i), so f = Δu* = u*; Dirichlet data u* on the
 * faces, imposed by the boundary loss with weight 20 (no ansatz). R = 0 (exact) by default, as §6
 * says. `--source estimated` forms f as the published code does, by the method's estimator applied to
 * u* with its own draw (O4, estimated-source.ts); by default f is analytic.
 */
import * as tf from '@tensorflow/tfjs';
import * as J from '../../taylor/ops.ts';
import type { PDE, Problem } from './pde.ts';
import { laplacianMethods, estimateLaplacian } from './methods.ts';
import { POISSON_SOURCE_OPTION } from './options.ts';
import { ESTIMATED_SOURCE, estimatedSource, type ExactSolution } from './estimated-source.ts';
import { INSEPARABLE_DEFAULTS } from './inseparable.ts';
import { byRowBlocks } from './row-blocks.ts';
import { unitCube } from '../../sampling/domains.ts';
import { evalTarget } from '../../operators/target.ts';

const BOUNDARY_WEIGHT = 20;

/** u*(x) = (1/d)·Σ_i exp(x_i), which is also its own Laplacian. */
const meanExp = (x: tf.Tensor2D) => byRowBlocks(x, (rows) => tf.mean(tf.exp(rows), 1) as tf.Tensor1D);

const poissonCube: PDE = {
  name: 'poisson-cube',
  paperId: 'Poisson',
  summary: 'Δu = f on the unit cube, exact u = (1/d)·Σ exp(x_i), Dirichlet data by a boundary loss (weight 20) (pdes.md §6; no results in the paper)',
  terms: ['laplacian'],
  minDim: 1,
  timeDependent: false,
  options: [POISSON_SOURCE_OPTION],
  methods: laplacianMethods(true),
  accuracy: true,
  defaults: () => ({ ...INSEPARABLE_DEFAULTS, R: 0, boundaryPoints: INSEPARABLE_DEFAULTS.points }),
  setup({ d, options }): Problem<{ x: tf.Tensor2D; f?: tf.Tensor1D; xb?: tf.Tensor2D; gb?: tf.Tensor1D }> {
    const domain = unitCube(d);
    const source = options.source ?? POISSON_SOURCE_OPTION.default;
    const exact = (x: J.Operand) => J.scale(J.sum(J.exp(x), -1), 1 / d);
    // ∇²u* = diag(exp(x)/d)
    const solution: ExactSolution = { jets: exact, laplacian: meanExp, diagonalSum: (rows, indices) => tf.div(tf.sum(tf.exp(tf.gather(rows, indices, 1)), 1), d) as tf.Tensor1D };
    return {
      domain,
      exact,
      labels: { boundary: `loss (weight ${BOUNDARY_WEIGHT})`, source },
      sample(rng, { points, boundaryPoints }) {
        const x = domain.interior(points, rng.child('points'));
        const f = source === ESTIMATED_SOURCE ? undefined : meanExp(x); // estimated: in residuals, with the step's draw
        if (boundaryPoints === 0) return { x, f };
        const xb = domain.boundary(boundaryPoints, rng.child('boundary'));
        return { x, f, xb, gb: meanExp(xb) };
      },
      residuals({ x, f, xb, gb }, c) {
        const est = estimateLaplacian(c, x, d);
        const rhs = f ?? estimatedSource(solution, x, d, c);
        const parts = [{ name: 'pde', weight: 1, r: tf.sub(est.value, rhs) }];
        if (xb && gb) parts.push({ name: 'boundary', weight: BOUNDARY_WEIGHT, r: tf.sub(evalTarget(c.target, xb), gb) });
        return parts;
      },
    };
  },
};

export default poissonCube;
