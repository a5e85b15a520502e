/** Terminal data shared by several semilinear PDEs (pdes.md §4.2). */
import * as tf from '@tensorflow/tfjs';

/** g(x) = 5/(10 + 2‖x‖²) at spatial points [n, d]. */
export const rationalTerminal = (x: tf.Tensor): tf.Tensor1D =>
  tf.tidy(() => tf.div(5, tf.add(10, tf.mul(tf.sum(tf.square(x), -1), 2))) as tf.Tensor1D);
