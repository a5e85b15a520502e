/**
 * The training loss over a step's residual parts (method.md §4). `biased`, the paper's: Σ w·mean(r²),
 * one operator estimate per point, so E[loss] carries the estimator's variance. `unbiased` (Eq. 25,
 * optional): the product of two estimates from independent draws J and K, r_J·r_K, whose mean is
 * (Lu − f)²; in the gradient r_K is a constant (computed off the tape), and the factor 2 keeps the
 * gradient that of the squared residual: E[2·r_K·∇r_J] = ∇(E r)². A part without randomness (a
 * boundary loss) has r_J = r_K and so the biased value and gradient; a part marked `keepSquare` (a
 * regularizer over one draw's terms, such as the gPINN pairs) keeps its biased square.
 */
import * as tf from '@tensorflow/tfjs';
import type { ResidualPart } from '../pdes/pde.ts';
import { untaped } from '../../engine/untaped.ts';

export const LOSS_FORMS = ['biased', 'unbiased'] as const;
export type LossForm = (typeof LOSS_FORMS)[number];

/** A part's biased term, w·mean(r²). */
const squared = (p: ResidualPart) => tf.mul(tf.mean(tf.square(p.r)), p.weight);

export function biasedLoss(parts: ResidualPart[]): tf.Scalar {
  return tf.addN(parts.map(squared)) as tf.Scalar;
}

/** `parts` from draw J (on the tape), `second` the same parts' residuals from draw K (off it). */
export function unbiasedLoss(parts: ResidualPart[], second: tf.Tensor[]): tf.Scalar {
  return tf.addN(
    parts.map((p, i) => {
      if (p.keepSquare) return squared(p);
      const constant = untaped(() => tf.clone(p.r)); // r_J without its gradient path
      // value w·mean(r_K·r_J); gradient 2w·mean(r_K·∇r_J)
      return tf.mul(tf.mean(tf.mul(second[i], tf.sub(tf.mul(p.r, 2), constant))), p.weight);
    }),
  ) as tf.Scalar;
}
