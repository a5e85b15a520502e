/**
 * Build an [n, d] tensor from row blocks drawn one after the other. On wasm each block is copied
 * into the output as soon as it is drawn and released, so the peak is the output plus one block;
 * tf.concat would hold every block and the output at once (at d = 10⁶, n = 100: 800 MB, and holes
 * that the 512 MB first-layer gradient cannot use). Other backends concatenate.
 */
import * as tf from '@tensorflow/tfjs';
import { allocateHeap, heapFloat32 } from './wasm-heap.ts';
import { customOp } from './custom-op.ts';

export function stackRowBlocks(n: number, d: number, rowsPerBlock: number, draw: (rows: number) => tf.Tensor): tf.Tensor2D {
  if (rowsPerBlock >= n) return draw(n) as tf.Tensor2D;
  const starts: number[] = [];
  for (let s = 0; s < n; s += rowsPerBlock) starts.push(s);
  const rows = (s: number) => Math.min(rowsPerBlock, n - s);
  if (tf.getBackend() !== 'wasm') {
    const parts = starts.map((s) => tf.tidy(() => draw(rows(s))));
    const out = tf.concat(parts, 0) as tf.Tensor2D;
    tf.dispose(parts);
    return out;
  }
  const out = allocateHeap([n, d]) as tf.Tensor2D;
  for (const s of starts) {
    const part = tf.tidy(() => draw(rows(s)));
    heapFloat32(out).set(heapFloat32(part), s * d); // views after the draw's allocations
    part.dispose();
  }
  return out;
}

/**
 * Σ a² over the last axis of a large [n, d] tensor, squaring one row block at a time off the tape
 * (a taped version would keep every block's copy for the backward pass). The gradient, 2a·dy, is
 * built from ordinary ops when asked for, so it stays differentiable.
 */
export function sumSquaresByRows(a: tf.Tensor2D, rowsPerBlock: number): tf.Tensor1D {
  const [n] = a.shape;
  return customOp({
    inputs: { a },
    forward: (save) => {
      save([a]);
      const parts: tf.Tensor[] = [];
      for (let s = 0; s < n; s += rowsPerBlock) parts.push(tf.tidy(() => tf.sum(tf.square(tf.slice(a, [s, 0], [Math.min(rowsPerBlock, n - s), -1])), -1)));
      return tf.concat(parts) as tf.Tensor1D;
    },
    backward: (dy, [x]) => ({ a: () => tf.mul(tf.mul(x, 2), tf.expandDims(dy, -1)) }),
  });
}
