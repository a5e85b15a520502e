/**
 * KP2d (pdes.md §5): (u_t + 6u u_x + u_xxx)_x + 3σ²u_yy = 0, σ² = 1, expanded as
 * u_tx + 6u_x² + 6u u_xx + u_xxxx + 3u_yy. Inputs (x, y, t).
 * stde-sparse: 5-jet (v⁽²⁾ = e_t, v⁽³⁾ = e_x; order 5 = 10 u_tx) + 4-jet in x + 2-jet in y
 * (method.md §5.3); nested: repeated reverse mode.
 */
import * as tf from '@tensorflow/tfjs';
import { highOrder } from './high-order.ts';
import { pushBasis } from './terms/jets.ts';
import { reversePartials } from '../../operators/reverse.ts';
import { evalTarget, type Target } from '../../operators/target.ts';

const [X, Y, T] = [0, 1, 2];

export interface KpTerms {
  u: tf.Tensor1D;
  u_x: tf.Tensor1D;
  u_xx: tf.Tensor1D;
  u_xxxx: tf.Tensor1D;
  u_tx: tf.Tensor1D;
  u_yy: tf.Tensor1D;
}

export function kpTermsByJets(target: Target, x: tf.Tensor2D): KpTerms {
  const mixed = pushBasis(target, x, 5, { 2: T, 3: X });
  const inX = pushBasis(target, x, 4, { 1: X });
  const inY = pushBasis(target, x, 2, { 1: Y });
  return {
    u: inX.order(0),
    u_x: inX.order(1),
    u_xx: inX.order(2),
    u_xxxx: inX.order(4),
    u_tx: tf.div(mixed.order(5), 10),
    u_yy: inY.order(2),
  };
}

export function kpTermsByNested(target: Target, x: tf.Tensor2D): KpTerms {
  const [u, u_x, u_xx, u_xxxx, u_tx, u_yy] = reversePartials((y) => evalTarget(target, y), x, [
    [], [X], [X, X], [X, X, X, X], [X, T], [Y, Y],
  ]);
  return { u, u_x, u_xx, u_xxxx, u_tx, u_yy };
}

export function kpResidual(t: KpTerms): tf.Tensor1D {
  return tf.addN([
    t.u_tx,
    tf.mul(tf.square(t.u_x), 6),
    tf.mul(tf.mul(t.u, t.u_xx), 6),
    t.u_xxxx,
    tf.mul(t.u_yy, 3),
  ]) as tf.Tensor1D;
}

const TERMS: Record<string, (target: Target, x: tf.Tensor2D) => KpTerms> = {
  'stde-sparse': kpTermsByJets,
  nested: kpTermsByNested,
};

export default highOrder({
  name: 'kp-2d',
  paperId: 'KP2d',
  summary: '(u_t + 6u u_x + u_xxx)_x + 3u_yy = 0 on the unit disk × [0, 1]',
  dim: 2,
  methods: Object.keys(TERMS),
  residuals: (target, x, method) => [{ name: 'pde', weight: 1, r: kpResidual(TERMS[method](target, x)) }],
});
