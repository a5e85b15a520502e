/**
 * KdV2d (pdes.md §5): u_ty + u_xxxy + 3(u_y u_x)_x − u_xx + 2u_yy = 0, expanded as
 * u_ty + u_xxxy + 3(u_xy u_x + u_y u_xx) − u_xx + 2u_yy. Inputs (x, y, t).
 *
 * - stde-sparse ("STDE*"): the correct 9-jet + 3-jet + 3-jet scheme of method.md §5.2 (divisor
 *   1260, D3).
 * - stde-13jet ("STDE" of Table 11): the single 13-jet (v⁽³⁾ = e_x, v⁽⁴⁾ = e_y, v⁽⁷⁾ = e_t) read
 *   as the published code does, with the correct divisors for its clean outputs (D2). Orders 7, 11
 *   and 13 are contaminated (by u_t, u_xyy, u_xxt), so its residual is NOT the KdV residual: it
 *   exists to time the single pushforward and its results are labelled so.
 * - nested: every partial by repeated reverse mode.
 */
import * as tf from '@tensorflow/tfjs';
import { highOrder } from './high-order.ts';
import { pushBasis } from './terms/jets.ts';
import { reversePartials } from '../../operators/reverse.ts';
import { evalTarget, type Target } from '../../operators/target.ts';

const [X, Y, T] = [0, 1, 2];

export interface KdvTerms {
  u_x: tf.Tensor1D;
  u_y: tf.Tensor1D;
  u_xx: tf.Tensor1D;
  u_xy: tf.Tensor1D;
  u_yy: tf.Tensor1D;
  u_ty: tf.Tensor1D;
  u_xxxy: tf.Tensor1D;
}

/** method.md §5.2. */
export function kdvTermsByJets(target: Target, x: tf.Tensor2D): KdvTerms {
  const A = pushBasis(target, x, 9, { 2: X, 3: Y });
  const B = pushBasis(target, x, 3, { 1: Y, 2: T });
  const C = pushBasis(target, x, 3, { 1: Y });
  const u_yyy = C.order(3);
  return {
    u_x: A.order(2),
    u_y: A.order(3),
    u_xx: tf.div(A.order(4), 3),
    u_xy: tf.div(A.order(5), 10),
    u_yy: C.order(2),
    u_xxxy: tf.div(tf.sub(A.order(9), tf.mul(u_yyy, 280)), 1260),
    u_ty: tf.div(tf.sub(B.order(3), u_yyy), 3),
  };
}

/** The published single 13-jet read-out (method.md §5.1): u_xy, u_ty, u_xxxy are contaminated. */
export function kdvTermsBy13Jet(target: Target, x: tf.Tensor2D): KdvTerms {
  const j = pushBasis(target, x, 13, { 3: X, 4: Y, 7: T });
  return {
    u_x: j.order(3),
    u_y: j.order(4),
    u_xx: tf.div(j.order(6), 10),
    u_xy: tf.div(j.order(7), 35),
    u_yy: tf.div(j.order(8), 35),
    u_ty: tf.div(j.order(11), 330),
    u_xxxy: tf.div(j.order(13), 200200),
  };
}

export function kdvTermsByNested(target: Target, x: tf.Tensor2D): KdvTerms {
  const [u_x, u_y, u_xx, u_xy, u_yy, u_ty, u_xxxy] = reversePartials((y) => evalTarget(target, y), x, [
    [X], [Y], [X, X], [X, Y], [Y, Y], [Y, T], [X, X, X, Y],
  ]);
  return { u_x, u_y, u_xx, u_xy, u_yy, u_ty, u_xxxy };
}

export function kdvResidual(t: KdvTerms): tf.Tensor1D {
  const advection = tf.mul(tf.add(tf.mul(t.u_xy, t.u_x), tf.mul(t.u_y, t.u_xx)), 3);
  return tf.addN([t.u_ty, t.u_xxxy, advection, tf.neg(t.u_xx), tf.mul(t.u_yy, 2)]) as tf.Tensor1D;
}

const TERMS: Record<string, (target: Target, x: tf.Tensor2D) => KdvTerms> = {
  'stde-sparse': kdvTermsByJets,
  'stde-13jet': kdvTermsBy13Jet,
  nested: kdvTermsByNested,
};

const VARIANTS: Record<string, Record<string, string>> = {
  'stde-13jet': { variant: 'published-contaminated-13-jet (speed only: u_xy, u_ty, u_xxxy contaminated; D2)' },
  'stde-sparse': { variant: '9-jet + 3-jet + 3-jet (STDE*, divisor 1260)' },
};

export default highOrder({
  name: 'kdv-2d',
  paperId: 'KdV2d',
  summary: 'u_ty + u_xxxy + 3(u_y u_x)_x − u_xx + 2u_yy = 0 on the unit disk × [0, 1]',
  dim: 2,
  methods: Object.keys(TERMS),
  schemes: { 'stde-13jet': 'the published single 13-jet (Table 11 "STDE"): speed only, contaminated read-outs (D2)' },
  labels: (method): Record<string, string> => VARIANTS[method] ?? {},
  residuals: (target, x, method) => [{ name: 'pde', weight: 1, r: kdvResidual(TERMS[method](target, x)) }],
});
