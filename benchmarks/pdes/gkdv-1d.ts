/**
 * gKdV1d (`highord1d` in the published code; pdes.md §5, D13): R := u_t + u u_x + α u_xxx,
 * α = 0.0025, with gPINN terms: loss = mean over points of R² + λ(R_x² + R_t²), λ = 10⁻³ (not
 * squared once more as published), where R_x = u_tx + u_x² + u u_xx + α u_xxxx and
 * R_t = u_tt + u_t u_x + u u_tx + α u_txxx. Inputs (x, t), x ∈ [−1, 1].
 * stde-sparse: 7-jet P (v⁽¹⁾ = e_x) + 7-jet Q (v⁽¹⁾ = e_x, v⁽⁴⁾ = e_t) + 2-jet (v⁽¹⁾ = e_t), read as
 * method.md §5.4; nested: repeated reverse mode.
 */
import * as tf from '@tensorflow/tfjs';
import { highOrder } from './high-order.ts';
import { pushBasis } from './terms/jets.ts';
import { reversePartials } from '../../operators/reverse.ts';
import { evalTarget, type Target } from '../../operators/target.ts';

const [X, T] = [0, 1];
export const GKDV_ALPHA = 0.0025;
export const GKDV_LAMBDA = 1e-3;

export interface GkdvTerms {
  u: tf.Tensor1D;
  u_x: tf.Tensor1D;
  u_xx: tf.Tensor1D;
  u_xxx: tf.Tensor1D;
  u_xxxx: tf.Tensor1D;
  u_t: tf.Tensor1D;
  u_tx: tf.Tensor1D;
  u_tt: tf.Tensor1D;
  u_txxx: tf.Tensor1D;
}

export function gkdvTermsByJets(target: Target, x: tf.Tensor2D): GkdvTerms {
  const P = pushBasis(target, x, 7, { 1: X });
  const Q = pushBasis(target, x, 7, { 1: X, 4: T });
  const tt = pushBasis(target, x, 2, { 1: T });
  return {
    u: P.order(0),
    u_x: P.order(1),
    u_xx: P.order(2),
    u_xxx: P.order(3),
    u_xxxx: P.order(4),
    u_t: tf.sub(Q.order(4), P.order(4)),
    u_tx: tf.div(tf.sub(Q.order(5), P.order(5)), 5),
    u_txxx: tf.div(tf.sub(Q.order(7), P.order(7)), 35),
    u_tt: tt.order(2),
  };
}

export function gkdvTermsByNested(target: Target, x: tf.Tensor2D): GkdvTerms {
  const [u, u_x, u_xx, u_xxx, u_xxxx, u_t, u_tx, u_tt, u_txxx] = reversePartials((y) => evalTarget(target, y), x, [
    [], [X], [X, X], [X, X, X], [X, X, X, X], [T], [X, T], [T, T], [X, X, X, T],
  ]);
  return { u, u_x, u_xx, u_xxx, u_xxxx, u_t, u_tx, u_tt, u_txxx };
}

/** [R, R_x, R_t]. */
export function gkdvResiduals(t: GkdvTerms): tf.Tensor1D[] {
  const a = GKDV_ALPHA;
  const R = tf.addN([t.u_t, tf.mul(t.u, t.u_x), tf.mul(t.u_xxx, a)]);
  const Rx = tf.addN([t.u_tx, tf.square(t.u_x), tf.mul(t.u, t.u_xx), tf.mul(t.u_xxxx, a)]);
  const Rt = tf.addN([t.u_tt, tf.mul(t.u_t, t.u_x), tf.mul(t.u, t.u_tx), tf.mul(t.u_txxx, a)]);
  return [R, Rx, Rt] as tf.Tensor1D[];
}

const TERMS: Record<string, (target: Target, x: tf.Tensor2D) => GkdvTerms> = {
  'stde-sparse': gkdvTermsByJets,
  nested: gkdvTermsByNested,
};

export default highOrder({
  name: 'gkdv-1d',
  paperId: 'gKdV1d',
  summary: 'u_t + u u_x + 0.0025 u_xxx = 0 with gPINN terms λ = 1e-3, x ∈ [−1, 1], t ∈ [0, 1]',
  dim: 1,
  methods: Object.keys(TERMS),
  residuals: (target, x, method) => {
    const [R, Rx, Rt] = gkdvResiduals(TERMS[method](target, x));
    return [
      { name: 'pde', weight: 1, r: R },
      { name: 'pde-x', weight: GKDV_LAMBDA, r: Rx },
      { name: 'pde-t', weight: GKDV_LAMBDA, r: Rt },
    ];
  },
});
