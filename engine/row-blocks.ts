/**
 * Big [N, d] tensors in blocks. At d ~ 10⁶ one row is 4 MB and a whole batch's temporaries
 * (400 MB each) would fragment the 2 GiB WASM heap that the first layer's weight and gradient
 * (512 MB each) need in one piece, so on wasm points are drawn, sources evaluated and reductions
 * taken a block of at most ROW_BLOCK_FLOATS floats at a time. Below the budget everything is one
 * block. Other backends have no such heap, and every block costs its kernels again (at d = 10⁶ on
 * webgpu one-row blocks meant ~100 draws per step and one forward pass per test point), so their
 * budget is far larger: see rowBlockFloats.
 */
import * as tf from '@tensorflow/tfjs';
import { allocateHeap, heapFloat32 } from './wasm-heap.ts';
import { customOp } from './custom-op.ts';
import { sumSquaresKernel, sumSquaresRows } from './sum-squares.ts';
import { storageBindingBytes } from './webgpu/webgpu.ts';

/** Floats in one block's [rows, d] (or [N, columns]) temporary on wasm. */
export const ROW_BLOCK_FLOATS = 2 ** 20;

/** The same budget off the WASM heap (512 MB): bounds temporaries, not the number of blocks. */
export const OFF_HEAP_BLOCK_FLOATS = 2 ** 27;

/**
 * The block budget of the active backend: ROW_BLOCK_FLOATS on wasm; on webgpu as much of
 * OFF_HEAP_BLOCK_FLOATS as one storage binding holds (a shader binds a whole tensor: 128 MB under
 * lavapipe, 2 GB on an H100 with NVIDIA's driver); OFF_HEAP_BLOCK_FLOATS elsewhere.
 */
export function rowBlockFloats(): number {
  if (tf.getBackend() === 'wasm') return ROW_BLOCK_FLOATS;
  const binding = storageBindingBytes();
  return binding ? Math.min(OFF_HEAP_BLOCK_FLOATS, Math.floor(binding / 4)) : OFF_HEAP_BLOCK_FLOATS;
}

/** How many lines of `lineFloats` floats one block holds (at least one). */
export function perBlock(lineFloats: number, floats = rowBlockFloats()): number {
  return Math.max(1, Math.floor(floats / lineFloats));
}

/** [start, size] of each block of at most `per` items in 0 … n−1. */
export function blocks(n: number, per: number): [number, number][] {
  const out: [number, number][] = [];
  for (let start = 0; start < n; start += per) out.push([start, Math.min(per, n - start)]);
  return out;
}

/**
 * Build an [n, d] tensor from row blocks drawn one after the other (`draw(rows, start)`). On wasm each
 * block is copied into the output as soon as it is drawn and released, so the peak is the output plus one block;
 * tf.concat would hold every block and the output at once (at d = 10⁶, n = 100: 800 MB, and holes
 * that the 512 MB first-layer gradient cannot use). Other backends concatenate.
 */
export function stackRowBlocks(n: number, d: number, rowsPerBlock: number, draw: (rows: number, start: number) => tf.Tensor): tf.Tensor2D {
  if (rowsPerBlock >= n) return draw(n, 0) as tf.Tensor2D;
  const parts = blocks(n, rowsPerBlock);
  if (tf.getBackend() !== 'wasm') {
    const drawn = parts.map(([start, rows]) => tf.tidy(() => draw(rows, start)));
    const out = tf.concat(drawn, 0) as tf.Tensor2D;
    tf.dispose(drawn);
    return out;
  }
  const out = allocateHeap([n, d]) as tf.Tensor2D;
  for (const [start, rows] of parts) {
    const part = tf.tidy(() => draw(rows, start));
    heapFloat32(out).set(heapFloat32(part), start * d); // views after the draw's allocations
    part.dispose();
  }
  return out;
}

/**
 * Σ a² over the last axis of a large [n, d] tensor, off the tape (a taped version would keep the
 * square's copy for the backward pass): on wasm and webgpu by their own kernel, which reads a once and
 * makes no squared copy (engine/sum-squares.ts); elsewhere squaring one row block at a time. The gradient, 2a·dy, is built from
 * ordinary ops when asked for, so it stays differentiable.
 */
export function sumSquaresByRows(a: tf.Tensor2D, rowsPerBlock: number): tf.Tensor1D {
  const [n] = a.shape;
  return customOp({
    inputs: { a },
    forward: (save) => {
      save([a]);
      if (sumSquaresKernel()) return sumSquaresRows(a) as tf.Tensor1D; // nothing records inside a forward
      const parts = blocks(n, rowsPerBlock).map(([start, rows]) => tf.tidy(() => tf.sum(tf.square(tf.slice(a, [start, 0], [rows, -1])), -1)));
      return tf.concat(parts) as tf.Tensor1D;
    },
    backward: (dy, [x]) => ({ a: () => tf.mul(tf.mul(x, 2), tf.expandDims(dy, -1)) }),
  });
}
