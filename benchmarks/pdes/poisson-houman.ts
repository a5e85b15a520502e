/**
 * PoissonHouman (pdes.md §6; in the published code, no results in the paper): Δu = f on the unit
 * ball with u = 0 on the sphere (the zero-boundary ansatz, always), exact
 *   u* = (1 − ‖x‖²)·h,  h = Σ_{k<d−1} c_k sin φ_k,  c_k = tanh(4k/(d−1) − 2),
 *   φ_k = x_k + 3 cos x_{k+1} + x_{k+1} cos x_k   (0-based k; the spec's i = k + 1),
 * and f = Δu* in closed form (below). R = 0 (exact) by default, as §6 says. `--source estimated`
 * forms f as the published code does, by the method's estimator applied to u* with its own draw (O4,
 * estimated-source.ts).
 */
import * as tf from '@tensorflow/tfjs';
import * as J from '../../taylor/ops.ts';
import type { PDE, Problem } from './pde.ts';
import { SAMPLER_OPTION, POISSON_SOURCE_OPTION } from './options.ts';
import { ESTIMATED_SOURCE, estimatedSource, type ExactSolution } from './estimated-source.ts';
import { laplacianMethods, estimateLaplacian } from './methods.ts';
import { INSEPARABLE_DEFAULTS } from './inseparable.ts';
import { byRowBlocks } from './row-blocks.ts';
import { unitBall, type BallSampler } from '../../sampling/domains.ts';
import { zeroBoundaryBall } from '../../operators/target.ts';

/** c_k = tanh(4k/(d−1) − 2), k = 0 … d−2. */
const weights = (d: number) => tf.tanh(tf.sub(tf.mul(tf.range(0, d - 1), 4 / (d - 1)), 2)) as tf.Tensor1D;

/** φ_k = a + 3 cos b + b cos a for a = x_k, b = x_{k+1}, from cos a and cos b. */
const phiOf = (a: tf.Tensor, b: tf.Tensor, ca: tf.Tensor, cb: tf.Tensor) => tf.add(tf.add(a, tf.mul(cb, 3)), tf.mul(b, ca));

/**
 * φ_k's partials φ_a = 1 − b sin a, φ_b = cos a − 3 sin b, φ_aa = −b cos a, φ_bb = −3 cos b, and
 * c_k·sin φ_k, c_k·cos φ_k (a, b of one shape, c_k broadcast over them).
 */
function phiTerms(a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) {
  const [sa, ca, sb, cb] = [tf.sin(a), tf.cos(a), tf.sin(b), tf.cos(b)];
  const phi = phiOf(a, b, ca, cb);
  return {
    sp: tf.mul(tf.sin(phi), c),
    cp: tf.mul(tf.cos(phi), c),
    phiA: tf.sub(1, tf.mul(b, sa)),
    phiB: tf.sub(ca, tf.mul(sb, 3)),
    phiAA: tf.neg(tf.mul(b, ca)),
    phiBB: tf.mul(cb, -3),
  };
}

/** The neighbour pairs a = x_k, b = x_{k+1} (k < d − 1) of rows [n, d]. */
function pairs(x: tf.Tensor2D, d: number): [tf.Tensor2D, tf.Tensor2D] {
  const n = x.shape[0];
  return [tf.slice(x, [0, 0], [n, d - 1]), tf.slice(x, [0, 1], [n, d - 1])];
}

/** g = 1 − ‖x‖² per row. */
const ballFactor = (x: tf.Tensor2D) => tf.sub(1, tf.sum(tf.square(x), 1));

/**
 * Δu* for u* = g·h with g = 1 − ‖x‖²: Δu* = h·Δg + 2∇g·∇h + g·Δh = −2d·h − 4 x·∇h + g·Δh. Each φ_k
 * depends on a = x_k and b = x_{k+1} only, so x·∇h = Σ c_k cos φ_k (a φ_a + b φ_b) and
 * Δh = Σ c_k [cos φ_k (φ_aa + φ_bb) − sin φ_k (φ_a² + φ_b²)].
 */
function laplacian(x: tf.Tensor2D, c: tf.Tensor1D, d: number): tf.Tensor1D {
  return tf.tidy(() => {
    const [a, b] = pairs(x, d);
    const t = phiTerms(a, b, c);
    const [h, g] = [tf.sum(t.sp, 1), ballFactor(x)];
    const xGradH = tf.sum(tf.mul(t.cp, tf.add(tf.mul(a, t.phiA), tf.mul(b, t.phiB))), 1);
    const lapH = tf.sum(tf.sub(tf.mul(t.cp, tf.add(t.phiAA, t.phiBB)), tf.mul(t.sp, tf.add(tf.square(t.phiA), tf.square(t.phiB)))), 1);
    return tf.add(tf.sub(tf.mul(h, -2 * d), tf.mul(xGradH, 4)), tf.mul(g, lapH)) as tf.Tensor1D;
  });
}

/**
 * Σ_{j ∈ indices} ∂²u* / ∂x_j², with ∂²_j u* = −2h − 4 x_j h_j + g·h_jj: x_j is a in φ_j (j < d − 1)
 * and b in φ_{j−1} (j > 0), so h_j = c_j cos φ_j φ_a + c_{j−1} cos φ_{j−1} φ_b and
 * h_jj = c_j [cos φ_j φ_aa − sin φ_j φ_a²] + c_{j−1} [cos φ_{j−1} φ_bb − sin φ_{j−1} φ_b²]
 * (a missing neighbour has weight 0). O(n·d) for h and g, then O(n·R).
 */
function diagonalSum(x: tf.Tensor2D, c: tf.Tensor1D, cs: Float32Array, d: number, indices: number[]): tf.Tensor1D {
  return tf.tidy(() => {
    // h and g over all d: only sin φ_k is needed there, not φ's partials
    const [a, b] = pairs(x, d);
    const h = tf.sum(tf.mul(tf.sin(phiOf(a, b, tf.cos(a), tf.cos(b))), c), 1);
    const g = ballFactor(x);
    const column = (js: number[]) => tf.gather(x, tf.tensor1d(js, 'int32'), 1); // [n, R']
    const xj = column(indices);
    const ahead = phiTerms(xj, column(indices.map((j) => Math.min(j + 1, d - 1))), tf.tensor1d(indices.map((j) => (j < d - 1 ? cs[j] : 0))));
    const behind = phiTerms(column(indices.map((j) => Math.max(j - 1, 0))), xj, tf.tensor1d(indices.map((j) => (j > 0 ? cs[j - 1] : 0))));
    const hj = tf.add(tf.mul(ahead.cp, ahead.phiA), tf.mul(behind.cp, behind.phiB));
    const hjj = tf.add(
      tf.sub(tf.mul(ahead.cp, ahead.phiAA), tf.mul(ahead.sp, tf.square(ahead.phiA))),
      tf.sub(tf.mul(behind.cp, behind.phiBB), tf.mul(behind.sp, tf.square(behind.phiB))),
    );
    const terms = tf.add(tf.sub(tf.mul(tf.reshape(h, [-1, 1]), -2), tf.mul(tf.mul(xj, hj), 4)), tf.mul(tf.reshape(g, [-1, 1]), hjj));
    return tf.sum(terms, 1) as tf.Tensor1D;
  });
}

const poissonHouman: PDE = {
  name: 'poisson-houman',
  paperId: 'PoissonHouman',
  summary: 'Δu = f on the unit ball, exact u = (1 − ‖x‖²)·Σ tanh(4k/(d−1) − 2)·sin(x_k + 3 cos x_{k+1} + x_{k+1} cos x_k), zero-boundary ansatz (pdes.md §6; no results in the paper)',
  terms: ['laplacian'],
  minDim: 2,
  timeDependent: false,
  options: [SAMPLER_OPTION, POISSON_SOURCE_OPTION],
  methods: laplacianMethods(true),
  accuracy: true,
  defaults: () => ({ ...INSEPARABLE_DEFAULTS, R: 0 }),
  setup({ d, options }): Problem<{ x: tf.Tensor2D; f?: tf.Tensor1D }> {
    const sampler = (options.sampler ?? SAMPLER_OPTION.default) as BallSampler;
    const source = options.source ?? POISSON_SOURCE_OPTION.default;
    const domain = unitBall(d, sampler);
    const c = weights(d);
    const exact = (x: J.Operand) => {
      const a = J.sliceLast(x, 0, d - 1);
      const b = J.sliceLast(x, 1, d - 1);
      const phi = J.add(J.add(a, J.scale(J.cos(b), 3)), J.mul(b, J.cos(a)));
      return J.mul(J.scaleShift(J.sumSquares(x), -1, 1), J.dotConst(J.sin(phi), c));
    };
    const analytic = (x: tf.Tensor2D) => byRowBlocks(x, (rows) => laplacian(rows, c, d));
    let cs: Float32Array | undefined; // c_k in JS for the per-index gathers, read once where the source is estimated
    const solution: ExactSolution = { jets: exact, laplacian: analytic, diagonalSum: (rows, indices) => diagonalSum(rows, c, (cs ??= Float32Array.from(c.dataSync())), d, indices) };
    return {
      domain,
      ansatz: zeroBoundaryBall(d),
      exact,
      labels: { sampler, source },
      dispose: () => c.dispose(),
      sample(rng, { points }) {
        const x = domain.interior(points, rng.child('points'));
        return { x, f: source === ESTIMATED_SOURCE ? undefined : analytic(x) }; // estimated: in residuals, with the step's draw
      },
      residuals({ x, f }, ctx) {
        const est = estimateLaplacian(ctx, x, d);
        const rhs = f ?? estimatedSource(solution, x, d, ctx);
        return [{ name: 'pde', weight: 1, r: tf.sub(est.value, rhs) }];
      },
    };
  },
};

export default poissonHouman;
