/**
 * Adam's update of one parameter as the backend's own kernels rather than thirteen tf ops, each a
 * pass over the parameter (benchmarks/training/adam.ts keeps that op-by-op version as the
 * reference and for the other backends):
 * - wasm: one SIMD pass (engine/simd/adam.ts) — at d = 10⁵ the thirteen passes over the 12.8 M
 *   first-layer weights were a fifth of a training step;
 * - webgpu: three programs (engine/webgpu/adam.ts) — there a step's cost is per dispatch.
 */
import * as tf from '@tensorflow/tfjs';
import { dataKernelsAvailable } from './simd/simd.ts';
import { simdAdamUpdate } from './simd/adam.ts';
import { webgpuAdamUpdate } from './webgpu/adam.ts';

export interface AdamCoefficients {
  beta1: number;
  beta2: number;
  epsilon: number;
  /** lr / (1 − β₁ᵗ) */
  stepSize: number;
  /** 1 / √(1 − β₂ᵗ) */
  vCorrection: number;
}

/** New (θ, m, v) of one parameter, from θ, its gradient and moments; inputs are left as they are. */
export type AdamUpdate = (p: tf.Tensor, g: tf.Tensor, m: tf.Tensor, v: tf.Tensor, c: AdamCoefficients) => { p: tf.Tensor; m: tf.Tensor; v: tf.Tensor };

/** The active backend's fused update, or null (then the tf ops run). */
export function fusedAdamUpdate(): AdamUpdate | null {
  if (tf.getBackend() === 'webgpu') return webgpuAdamUpdate;
  if (dataKernelsAvailable()) return simdAdamUpdate;
  return null;
}
