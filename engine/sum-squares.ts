/**
 * ‖x_r‖² for every row of a [rows, m] tensor: the ball samplers' norms, the two- and three-body
 * solutions' 1 − ‖x‖², and the forward of the Taylor rule's Σx² op (engine/row-blocks.ts), over
 * [N, d] points every step. Off the tape, the backend's own kernel reads the rows once: the SIMD
 * `sum_squares` on wasm (engine/simd/sum-squares.ts), one WGSL program on webgpu
 * (engine/webgpu/sum-squares.ts). Elsewhere, and where a gradient tape records (the kernels have no
 * gradient), tfjs's Square and Sum.
 */
import * as tf from '@tensorflow/tfjs';
import { dataKernelBackend } from './data-kernels.ts';
import { simdSumSquaresRows } from './simd/sum-squares.ts';
import { webgpuSumSquaresRows } from './webgpu/sum-squares.ts';

export function sumSquaresRows(x: tf.Tensor2D, keepDims = false): tf.Tensor {
  const own = x.dtype === 'float32' && x.size > 0 ? dataKernelBackend() : null;
  if (own === 'wasm') return simdSumSquaresRows(x, keepDims);
  if (own === 'webgpu') return webgpuSumSquaresRows(x, keepDims);
  return tf.sum(tf.square(x), 1, keepDims);
}

/** Whether this backend has a kernel of its own for sumSquaresRows (it runs off the tape): then it is worth calling on any [N, d] batch. */
export const sumSquaresKernel = (): boolean => tf.getBackend() === 'wasm' || tf.getBackend() === 'webgpu';
