/**
 * HJB-LIN (pdes.md §6): u_t + Δu − (1/d)Σ_i |∂_i u|^c + 2 = 0, c = 1.75; exact u = Σ_i x_i + T − t,
 * terminal g = Σ_i x_i; ansatz (T − t)·NN + g. ∇u and u_t by reverse mode.
 */
import * as tf from '@tensorflow/tfjs';
import * as J from '../../taylor/ops.ts';
import { terminalValue, TERMINAL_T } from './terminal-value.ts';
import { laplacianMethods, estimateLaplacian } from './methods.ts';
import { spatial, time } from './inputs.ts';
import { column, columns, inputGradient } from '../../operators/reverse.ts';

const C = 1.75;

const g = (x: J.Operand, d: number) => J.sum(spatial(x, d), -1);

export default terminalValue({
  name: 'hjb-lin',
  paperId: 'HJB-LIN',
  summary: 'u_t + Δu − (1/d)Σ|∂_i u|^1.75 + 2 = 0, exact u = Σx_i + T − t',
  terms: ['laplacian', 'gradient', 'time-derivative'],
  methods: laplacianMethods(true),
  g,
  ansatz: (d) => ({ name: '(T − t)·NN + g', scale: (x) => J.scaleShift(time(x, d), -1, TERMINAL_T), shift: (x) => g(x, d) }),
  exact: (x, d) => J.add(g(x, d), J.scaleShift(time(x, d), -1, TERMINAL_T)),
  residual(x, d, c) {
    const est = estimateLaplacian(c, x, d);
    const grad = inputGradient(c.target, x);
    const hamiltonian = tf.div(tf.sum(tf.pow(tf.abs(columns(grad, 0, d)), C), -1), d);
    return tf.add(tf.sub(tf.add(column(grad, d), est.value), hamiltonian), 2);
  },
});
