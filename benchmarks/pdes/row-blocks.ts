/**
 * Row-blocked evaluation of per-point functions (sources, exact solutions): at d ~ 10⁶ one [N, d]
 * intermediate is 4·N MB, and a source has a dozen of them, so the points are processed in blocks
 * whose temporaries stay within the budget of engine/row-blocks.ts. Below it, a plain call.
 */
import * as tf from '@tensorflow/tfjs';
import { blocks, perBlock, rowBlockFloats } from '../../engine/row-blocks.ts';

export function byRowBlocks<T extends tf.Tensor>(x: tf.Tensor2D, fn: (rows: tf.Tensor2D) => T, floats = rowBlockFloats()): T {
  const [n, w] = x.shape;
  const rows = perBlock(w, floats);
  if (rows >= n) return fn(x);
  const parts = blocks(n, rows).map(([start, size]) => tf.tidy(() => fn(tf.slice(x, [start, 0], [size, w]) as tf.Tensor2D)));
  const out = tf.concat(parts) as T;
  tf.dispose(parts);
  return out;
}
