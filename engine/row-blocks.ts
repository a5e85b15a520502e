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
import { allocateHeap, heapFloat32, heapOffset } from './wasm-heap.ts';
import { customOp } from './custom-op.ts';
import { dataKernelsAvailable, directKernel } from './simd/simd.ts';
import { sumSquaresRows } from './simd/sum-squares.ts';

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
  const backend = tf.getBackend();
  if (backend === 'wasm') return ROW_BLOCK_FLOATS;
  if (backend === 'webgpu') {
    const limits = (tf.backend() as unknown as { device?: { limits?: { maxStorageBufferBindingSize?: number } } }).device?.limits;
    const bytes = limits?.maxStorageBufferBindingSize;
    if (bytes) return Math.min(OFF_HEAP_BLOCK_FLOATS, Math.floor(bytes / 4));
  }
  return OFF_HEAP_BLOCK_FLOATS;
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

/** One block of rows to stack: `rows` [r, d], each row times its entry of `scale` [r, 1]. */
export interface ScaledRows {
  rows: tf.Tensor;
  scale: tf.Tensor;
}

/**
 * Build the [n, d] tensor rows ⊙ scale from row blocks drawn one after the other (the unit-ball
 * sampler: normals and 1/‖z‖·radius per row). On wasm each block is scaled straight into its rows of
 * the output by the SIMD `scale_rows` and released, so the peak is the output plus one block, with no
 * scaled copy in between ([100, 10⁶] points 482 → 464 ms); tf.concat would hold every block
 * and the output at once (at d = 10⁶, n = 100: 800 MB, and holes that the 512 MB first-layer gradient
 * cannot use). Other backends concatenate. The values are tf.mul(rows, scale)'s, bit for bit.
 */
export function stackScaledRows(n: number, d: number, rowsPerBlock: number, draw: (rows: number) => ScaledRows): tf.Tensor2D {
  const scaled = (rows: number) =>
    tf.tidy(() => {
      const part = draw(rows);
      return tf.mul(part.rows, part.scale);
    });
  if (rowsPerBlock >= n) return scaled(n) as tf.Tensor2D;
  const parts = blocks(n, rowsPerBlock);
  if (tf.getBackend() !== 'wasm') {
    const drawn = parts.map(([, rows]) => scaled(rows));
    const out = tf.concat(drawn, 0) as tf.Tensor2D;
    tf.dispose(drawn);
    return out;
  }
  const out = allocateHeap([n, d]) as tf.Tensor2D;
  for (const [start, rows] of parts) {
    if (dataKernelsAvailable()) {
      const [z, scale] = tf.tidy(() => {
        const part = draw(rows);
        return [tf.cast(part.rows, 'float32'), tf.cast(part.scale, 'float32')]; // casts of float32 share, no copy
      });
      directKernel('scale_rows', (k) => k.scale_rows(heapOffset(z), heapOffset(scale), heapOffset(out) + 4 * start * d, rows, d));
      tf.dispose([z, scale]);
    } else {
      const part = scaled(rows);
      heapFloat32(out).set(heapFloat32(part), start * d); // views after the draw's allocations
      part.dispose();
    }
  }
  return out;
}

/**
 * Σ a² over the last axis of a large [n, d] tensor, off the tape (a taped version would keep the
 * square's copy for the backward pass): on wasm by the SIMD sum_squares, which reads a once and makes
 * no temporary; elsewhere squaring one row block at a time. The gradient, 2a·dy, is built from
 * ordinary ops when asked for, so it stays differentiable.
 */
export function sumSquaresByRows(a: tf.Tensor2D, rowsPerBlock: number): tf.Tensor1D {
  const [n] = a.shape;
  return customOp({
    inputs: { a },
    forward: (save) => {
      save([a]);
      if (dataKernelsAvailable()) return sumSquaresRows(a) as tf.Tensor1D; // nothing records inside a forward
      const parts = blocks(n, rowsPerBlock).map(([start, rows]) => tf.tidy(() => tf.sum(tf.square(tf.slice(a, [start, 0], [rows, -1])), -1)));
      return tf.concat(parts) as tf.Tensor1D;
    },
    backward: (dy, [x]) => ({ a: () => tf.mul(tf.mul(x, 2), tf.expandDims(dy, -1)) }),
  });
}
