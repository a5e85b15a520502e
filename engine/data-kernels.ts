/**
 * Which backend's own kernels for data (outputs that carry no gradient: sources, norms, samples) can
 * run now: wasm's SIMD ones once loaded, webgpu's WGSL ones; none where a gradient tape records (the
 * gPINN variants differentiate their source) or on other backends, where tf ops run instead.
 */
import * as tf from '@tensorflow/tfjs';
import { dataKernelsAvailable } from './simd/simd.ts';
import { isRecording } from './untaped.ts';

export function dataKernelBackend(): 'wasm' | 'webgpu' | null {
  if (dataKernelsAvailable()) return 'wasm';
  return tf.getBackend() === 'webgpu' && !isRecording() ? 'webgpu' : null;
}
