/**
 * One pushforward of a jet with basis tangents in chosen slots (method.md §5): `slots` maps a
 * slot j (1-based, derivative-scaled v⁽ʲ⁾) to the input index whose e_i it carries. The result
 * reads the derivative-scaled output of any order, per point.
 */
import * as tf from '@tensorflow/tfjs';
import { basis, derivative, inputJet, type Coeff } from '../../../taylor/jet.ts';
import { applyTarget, type Target } from '../../../operators/target.ts';

export interface Pushforward {
  /** Order-k derivative-scaled output [N] (k = 0: u). */
  order(k: number): tf.Tensor1D;
}

export function pushBasis(target: Target, x: tf.Tensor2D, K: number, slots: Record<number, number>): Pushforward {
  const w = x.shape[1];
  const tangents: Coeff[] = Array.from({ length: K }, (_, j) =>
    slots[j + 1] === undefined ? null : basis(tf.tensor1d([slots[j + 1]], 'int32'), w),
  );
  const u = applyTarget(target, inputJet(x, tangents));
  const n = x.shape[0];
  return {
    order: (k) => {
      const y = derivative(u, k); // [N], or [1, N] / [1, 1] with the direction axis
      return (y.size === n ? tf.reshape(y, [n]) : tf.reshape(tf.broadcastTo(y, [1, n]), [n])) as tf.Tensor1D;
    },
  };
}
