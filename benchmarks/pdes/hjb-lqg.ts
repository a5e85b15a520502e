/**
 * HJB-LQG (pdes.md §6): u_t + Δu − μ‖∇u‖² = 0, μ = 1, g(x) = ln((1 + ‖x‖²)/2); ansatz (T − t)·NN + g.
 * No closed form: the reference u(x, t) = −(1/μ) ln E[exp(−μ g(x + √2·W_{T−t}))] is a Monte Carlo
 * estimate with 10,000 samples in batches of 100 from the fixed seed 42 (D16), shared by every
 * point (common random numbers), so it is identical across runs. It is costly (10⁴·d per point):
 * the default test set is 1000 points, and `none` is refused.
 */
import * as tf from '@tensorflow/tfjs';
import * as J from '../../taylor/ops.ts';
import { terminalValue, TERMINAL_T } from './terminal-value.ts';
import { laplacianMethods, estimateLaplacian } from './methods.ts';
import { spatial, time } from './inputs.ts';
import { column, columns, inputGradient } from '../../operators/reverse.ts';
import { rngFromSeed } from '../../sampling/rng.ts';

const MU = 1;
const MC_SAMPLES = 10000;
const MC_BATCH = 100;
const MC_SEED = 42;

const g = (x: J.Operand, d: number) => J.log(J.scaleShift(J.sumSquares(spatial(x, d)), 0.5, 0.5));

/** ln((1 + ‖y‖²)/2) over the last axis of a plain tensor. */
const gPlain = (y: tf.Tensor) => tf.log(tf.add(tf.mul(tf.sum(tf.square(y), -1), 0.5), 0.5));

export function lqgReference(d: number): (x: tf.Tensor2D) => tf.Tensor1D {
  const noise = rngFromSeed(MC_SEED).child('hjb-lqg-reference');
  const batches = MC_SAMPLES / MC_BATCH;
  const seeds = Array.from({ length: batches }, (_, b) => noise.child(b).int31());
  // Points per chunk so that one [chunk, MC_BATCH, d] tensor stays within 2^24 floats.
  const chunk = Math.max(1, Math.floor(2 ** 24 / (MC_BATCH * d)));
  return (x) =>
    tf.tidy(() => {
      const parts: tf.Tensor[] = [];
      for (let start = 0; start < x.shape[0]; start += chunk) {
        const n = Math.min(chunk, x.shape[0] - start);
        const xs = tf.slice(x, [start, 0], [n, d + 1]);
        const base = tf.reshape(tf.slice(xs, [0, 0], [n, d]), [n, 1, d]);
        const spread = tf.reshape(tf.sqrt(tf.mul(tf.sub(TERMINAL_T, tf.slice(xs, [0, d], [n, 1])), 2)), [n, 1, 1]);
        const perBatch = seeds.map((seed) =>
          tf.tidy(() => {
            const w = tf.reshape(tf.randomNormal([MC_BATCH, d], 0, 1, 'float32', seed), [1, MC_BATCH, d]);
            return tf.logSumExp(tf.mul(gPlain(tf.add(base, tf.mul(spread, w))), -MU), 1); // [n]
          }),
        );
        const logMean = tf.sub(tf.logSumExp(tf.stack(perBatch), 0), Math.log(MC_SAMPLES));
        parts.push(tf.mul(logMean, -1 / MU));
      }
      return tf.concat(parts) as tf.Tensor1D;
    });
}

export default terminalValue({
  name: 'hjb-lqg',
  paperId: 'HJB-LQG',
  summary: 'u_t + Δu − ‖∇u‖² = 0, g = ln((1 + ‖x‖²)/2), Monte Carlo reference (seed 42)',
  terms: ['laplacian', 'gradient', 'time-derivative'],
  methods: laplacianMethods(false),
  g,
  ansatz: (d) => ({ name: '(T − t)·NN + g', scale: (x) => J.scaleShift(time(x, d), -1, TERMINAL_T), shift: (x) => g(x, d) }),
  reference: lqgReference,
  testPoints: 1000,
  residual(x, d, c) {
    const est = estimateLaplacian(c, x, d);
    const grad = inputGradient(c.target, x);
    return tf.sub(tf.add(column(grad, d), est.value), tf.mul(tf.sum(tf.square(columns(grad, 0, d)), -1), MU));
  },
});
