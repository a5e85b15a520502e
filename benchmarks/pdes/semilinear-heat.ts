/** SemilinearHeatTime: u_t + Δu + (1 − u²)/(1 + u²) = 0, g = 5/(10 + 2‖x‖²) (pdes.md §4.2). */
import * as tf from '@tensorflow/tfjs';
import { semilinear } from './semilinear.ts';
import { rationalTerminal } from './terminal-data.ts';

export default semilinear({
  name: 'semilinear-heat',
  paperId: 'SemilinearHeatTime',
  operator: 'Δu + (1 − u²)/(1 + u²)',
  N: (u) => tf.tidy(() => {
    const u2 = tf.square(u);
    return tf.div(tf.sub(1, u2), tf.add(1, u2));
  }),
  g: rationalTerminal,
  references: { 10: 0.47006, 100: 0.31674, 1000: 0.28753, 10000: 0.28433 },
});
