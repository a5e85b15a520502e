/**
 * Σ x² of every row of a [rows, m] float32 tensor by the SIMD `sum_squares` (kernels.wat): the rows
 * are read once, with no squared copy (tfjs's Square writes one that its Sum reads again). Off the
 * tape only: engine/sum-squares.ts decides when it runs.
 */
import * as tf from '@tensorflow/tfjs';
import { allocateHeap, heapOffset } from '../wasm-heap.ts';
import { directKernel } from './simd.ts';

export function simdSumSquaresRows(x: tf.Tensor2D, keepDims: boolean): tf.Tensor {
  const [rows, m] = x.shape;
  const out = allocateHeap(keepDims ? [rows, 1] : [rows]);
  directKernel('sum_squares', (k) => k.sum_squares(heapOffset(x), heapOffset(out), rows, m));
  return out;
}
