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
import { ESTIMATED_SOURCE, estimatedSource } from './estimated-source.ts';
import { laplacianMethods, estimateLaplacian } from './methods.ts';
import { INSEPARABLE_DEFAULTS } from './inseparable.ts';
import { byRowBlocks } from './row-blocks.ts';
import { unitBall, type BallSampler } from '../../sampling/domains.ts';
import { zeroBoundaryBall } from '../../operators/target.ts';

/** c_k = tanh(4k/(d−1) − 2), k = 0 … d−2. */
const weights = (d: number) => tf.tanh(tf.sub(tf.mul(tf.range(0, d - 1), 4 / (d - 1)), 2)) as tf.Tensor1D;

/**
 * Δu* for u* = g·h with g = 1 − ‖x‖²: Δu* = h·Δg + 2∇g·∇h + g·Δh = −2d·h − 4 x·∇h + g·Δh. Each φ_k
 * depends on a = x_k and b = x_{k+1} only: φ_a = 1 − b sin a, φ_b = cos a − 3 sin b, φ_aa = −b cos a,
 * φ_bb = −3 cos b, so x·∇h = Σ c_k cos φ_k (a φ_a + b φ_b) and
 * Δh = Σ c_k [cos φ_k (φ_aa + φ_bb) − sin φ_k (φ_a² + φ_b²)].
 */
function laplacian(x: tf.Tensor2D, c: tf.Tensor1D, d: number): tf.Tensor1D {
  return tf.tidy(() => {
    const n = x.shape[0];
    const a = tf.slice(x, [0, 0], [n, d - 1]);
    const b = tf.slice(x, [0, 1], [n, d - 1]);
    const [sa, ca, sb, cb] = [tf.sin(a), tf.cos(a), tf.sin(b), tf.cos(b)];
    const phi = tf.add(tf.add(a, tf.mul(cb, 3)), tf.mul(b, ca));
    const [sp, cp] = [tf.mul(tf.sin(phi), c), tf.mul(tf.cos(phi), c)];
    const phiA = tf.sub(1, tf.mul(b, sa));
    const phiB = tf.sub(ca, tf.mul(sb, 3));
    const phiAA = tf.neg(tf.mul(b, ca));
    const phiBB = tf.mul(cb, -3);
    const h = tf.sum(sp, 1);
    const xGradH = tf.sum(tf.mul(cp, tf.add(tf.mul(a, phiA), tf.mul(b, phiB))), 1);
    const lapH = tf.sum(tf.sub(tf.mul(cp, tf.add(phiAA, phiBB)), tf.mul(sp, tf.add(tf.square(phiA), tf.square(phiB)))), 1);
    const g = tf.sub(1, tf.sum(tf.square(x), 1));
    return tf.add(tf.sub(tf.mul(h, -2 * d), tf.mul(xGradH, 4)), tf.mul(g, lapH)) as tf.Tensor1D;
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
        const rhs = f ?? estimatedSource(exact, x, d, ctx, analytic);
        return [{ name: 'pde', weight: 1, r: tf.sub(est.value, rhs) }];
      },
    };
  },
};

export default poissonHouman;
