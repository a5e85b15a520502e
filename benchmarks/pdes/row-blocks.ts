/**
 * Row-blocked evaluation of per-point functions (sources, exact solutions): at d ~ 10⁶ one [N, d]
 * intermediate is 4·N MB, and a source has a dozen of them, so the points are processed in blocks
 * whose temporaries stay within a fixed budget. Below the budget it is a plain call.
 */
import * as tf from '@tensorflow/tfjs';

export const ROW_BLOCK_FLOATS = 2 ** 20;

export function byRowBlocks<T extends tf.Tensor>(x: tf.Tensor2D, fn: (rows: tf.Tensor2D) => T, floats = ROW_BLOCK_FLOATS): T {
  const [n, w] = x.shape;
  const rows = Math.max(1, Math.floor(floats / w));
  if (rows >= n) return fn(x);
  const parts: T[] = [];
  for (let start = 0; start < n; start += rows) {
    parts.push(tf.tidy(() => fn(tf.slice(x, [start, 0], [Math.min(rows, n - start), w]) as tf.Tensor2D)));
  }
  const out = tf.concat(parts) as T;
  tf.dispose(parts);
  return out;
}
