/**
 * a·W for rank-2 operands, with a long inner axis cut into chunks on webgpu.
 *
 * The first layer at d = 10⁶ is [100, 10⁶]·[10⁶, 128]. tfjs-webgpu's matMul tiles the *output*
 * (32 × 32 per workgroup): 16 workgroups for a [100, 128] result, each walking all 10⁶ inner steps,
 * while an H100 has 132 SMs. Cut into c chunks, the product is a batch of c products
 * [c, M, K/c]·[c, K/c, N] summed over c: c times the workgroups, for one transpose of a (its chunks
 * to the front; W's chunks are a free reshape) and a sum. Made of ordinary ops, so gradients of
 * any order follow; the weight's gradient comes out as [c, K/c, N], W's own layout.
 *
 * Elsewhere (wasm, cpu, tensorflow) the backend's own product already spreads over its threads.
 */
import * as tf from '@tensorflow/tfjs';

/** Inner axes at least this long are cut, into chunks of about CHUNK (an exact divisor of K). */
const LONG_K = 2 ** 15;
const CHUNK = 8192;
/** Only for small outputs: a large [M, N] already fills the GPU. */
const SMALL_OUTPUT = 2 ** 17;

/** The number of chunks for inner length k and output size m·n (1: leave the product alone). */
export function innerChunks(k: number, m: number, n: number, backend = tf.getBackend()): number {
  if (backend !== 'webgpu' || k < LONG_K || m * n > SMALL_OUTPUT) return 1;
  // The divisor of k nearest above k / CHUNK, within a factor 4 (chunks of CHUNK/4 … CHUNK).
  const lo = Math.ceil(k / CHUNK);
  for (let c = lo; c <= 4 * lo; c++) if (k % c === 0) return c;
  return 1;
}

export function longProduct(a: tf.Tensor2D, W: tf.Tensor2D): tf.Tensor2D {
  const [m, k] = a.shape;
  const n = W.shape[1];
  const c = innerChunks(k, m, n);
  if (c === 1) return tf.matMul(a, W);
  const chunks = tf.transpose(tf.reshape(a, [m, c, k / c]), [1, 0, 2]); // [c, M, K/c]
  return tf.sum(tf.matMul(chunks, tf.reshape(W, [c, k / c, n])), 0) as tf.Tensor2D;
}
