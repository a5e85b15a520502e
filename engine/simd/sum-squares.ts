/**
 * ‖x_r‖² for every row of a [rows, m] tensor: the ball samplers' norms, the two- and three-body
 * solutions' 1 − ‖x‖², and the forward of the Taylor rule's Σx² op (engine/row-blocks.ts), over
 * [N, d] points every step. On wasm off the tape, the SIMD `sum_squares` reads the rows once (tfjs's
 * Square writes a copy that its Sum reads again); elsewhere, and where a gradient tape records, the
 * tf ops.
 */
import * as tf from '@tensorflow/tfjs';
import { allocateHeap, heapOffset } from '../wasm-heap.ts';
import { dataKernelsAvailable, directKernel } from './simd.ts';

export function sumSquaresRows(x: tf.Tensor2D, keepDims = false): tf.Tensor {
  const [rows, m] = x.shape;
  if (!dataKernelsAvailable() || x.dtype !== 'float32' || x.size === 0) return tf.sum(tf.square(x), 1, keepDims);
  const out = allocateHeap(keepDims ? [rows, 1] : [rows]);
  directKernel('sum_squares', (k) => k.sum_squares(heapOffset(x), heapOffset(out), rows, m));
  return out;
}
