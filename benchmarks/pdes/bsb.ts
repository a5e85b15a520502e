/**
 * Black–Scholes–Barenblatt (pdes.md §6): u_t + ½σ² Σ_i x_i² u_ii − r(u − x·∇u) = 0, σ = 0.4,
 * r = 0.05; exact u = exp((r + σ²)(T − t))·‖x‖², g = ‖x‖²; ansatz (T − t)·NN·g + g. The weighted
 * Hessian diagonal needs per-index second derivatives: estimators that return their sampled
 * terms (×d/R) with the indices; dense STDE does not apply.
 */
import * as tf from '@tensorflow/tfjs';
import * as J from '../../taylor/ops.ts';
import { terminalValue, TERMINAL_T } from './terminal-value.ts';
import { hessianDiagonalMethods, estimatorOf, estimateLaplacian } from './methods.ts';
import { spatial, time } from './inputs.ts';
import { column, columns, inputGradient } from '../../operators/reverse.ts';
import { UsageError } from '../../engine/errors.ts';

const SIGMA = 0.4;
const RATE = 0.05;

const g = (x: J.Operand, d: number) => J.sumSquares(spatial(x, d));
const timeToGo = (x: J.Operand, d: number) => J.scaleShift(time(x, d), -1, TERMINAL_T);

export default terminalValue({
  name: 'bsb',
  paperId: 'BSB',
  summary: 'u_t + ½σ²Σ x_i² u_ii − r(u − x·∇u) = 0, σ = 0.4, r = 0.05, exact u = e^{(r+σ²)(T−t)}‖x‖²',
  terms: ['hessian-diagonal', 'gradient', 'time-derivative'],
  methods: hessianDiagonalMethods(true),
  g,
  ansatz: (d) => ({ name: '(T − t)·NN·g + g', scale: (x) => J.mul(timeToGo(x, d), g(x, d)), shift: (x) => g(x, d) }),
  exact: (x, d) => J.mul(J.exp(J.scale(timeToGo(x, d), RATE + SIGMA * SIGMA)), g(x, d)),
  residual(x, d, c) {
    const est = estimateLaplacian(c, x, d);
    if (!est.terms || !est.indices) throw new UsageError(`bsb needs per-index second derivatives; ${estimatorOf(c).name} returns only their sum`);
    const xi = tf.transpose(tf.gather(x, est.indices, 1)); // [R', N]: x_i for the sampled i
    const diffusion = tf.mul(tf.sum(tf.mul(tf.square(xi), est.terms), 0), 0.5 * SIGMA * SIGMA);
    const grad = inputGradient(c.target, x);
    const drift = tf.sum(tf.mul(columns(x, 0, d), columns(grad, 0, d)), -1);
    return tf.add(tf.add(column(grad, d), diffusion), tf.mul(tf.sub(drift, est.u), RATE));
  },
});
