/**
 * The tanh rule of a 2-jet as one op with SIMD kernels (taylor/rules.ts has the same rule in tf ops).
 * With y₀ = tanh z₀ and w = 1 − y₀², per direction r (sparse and dense STDE):
 *
 *   y₁,r = w·z₁,r,   y₂,r = w·(z₂,r − y₀·z₁,r²),
 *
 * and for a collapsed jet (method.md §9), whose top is summed over directions:
 *
 *   y₂ = w·(z₂ − y₀·S),   S = Σ_r z₁,r².
 *
 * In tf ops the rule and its gradient are about a dozen passes over the [R, N, h] tangents per layer
 * (products with broadcasting, direction sums, their gradients); here the forward pass is one pass
 * and each input's gradient one more (kernels.wat).
 *
 * The gradient is first order (the kernels are not differentiable again): the op is used where at
 * most one gradient encloses it, as in training, and the tf-op rule everywhere else.
 */
import * as tf from '@tensorflow/tfjs';
import { customOp } from '../custom-op.ts';
import { allocateHeap, heapOffset } from '../wasm-heap.ts';
import { gradientDepth, isRecording } from '../untaped.ts';
import { simd } from './simd.ts';

/** A direction-major [R, M, h] tangent of an [N, h] primal (M = N, or 1: shared by all points). */
const fitsTangent = (z0: tf.Tensor, t: tf.Tensor) =>
  t.rank === 3 && t.dtype === 'float32' && t.shape[2] === z0.shape[1] && (t.shape[1] === 1 || t.shape[1] === z0.shape[0]);

/** Whether the fused op applies: wasm, at most one enclosing gradient, SIMD-wide rows, [R, M, h] tangents. */
export function fusedTanhApplies(z0: tf.Tensor, z1: tf.Tensor, z2: tf.Tensor | null = null): boolean {
  return (
    tf.getBackend() === 'wasm' && gradientDepth() <= 1 && z0.rank === 2 && z0.dtype === 'float32' && z0.shape[1]! % 4 === 0 &&
    fitsTangent(z0, z1) && (z2 === null || (fitsTangent(z0, z2) && z2.shape[0] === z1.shape[0]))
  );
}

/** Element strides between directions and between points of a [R, M, h] tangent (0: shared). */
const strides = (t: tf.Tensor, N: number, h: number): [number, number] => (t.shape[1] === 1 ? [h, 0] : [N * h, h]);

/** y₀, y₁ [R, N, h], y₂ [N, h] for z₀ [N, h], z₁ [R, M, h] (M = N, or 1: shared by all points), z₂ [N, h] or null. */
export function tanhCollapsed2(z0: tf.Tensor, z1: tf.Tensor, z2: tf.Tensor | null): [tf.Tensor, tf.Tensor, tf.Tensor] {
  const [N, h] = z0.shape as [number, number];
  const [R, M] = z1.shape as [number, number, number];
  const [rs, ns] = strides(z1, N, h);
  const k = simd();
  const at = heapOffset;
  return customOp<tf.Tensor[]>({
    inputs: z2 ? { z0, z1, z2 } : { z0, z1 },
    forward: (save) => {
      const y0 = tf.tanh(z0);
      const y1 = allocateHeap([R, N, h]);
      const y2 = allocateHeap([N, h]);
      k.tanh2c_fwd(at(y0), at(z1), z2 ? at(z2) : 0, at(y1), at(y2), R, N, h, rs, ns, z2 ? 1 : 0);
      save(z2 ? [y0, z1, z2] : [y0, z1]);
      return [y0, y1, y2];
    },
    backward: ([g0, g1, g2], [y0, s1, s2]) => {
      if (isRecording()) throw new Error('the fused tanh jet has a first-order gradient only');
      return {
        z0: () => {
          const out = allocateHeap([N, h]);
          k.tanh2c_grad_z0(at(y0), at(s1), s2 ? at(s2) : 0, at(g0), at(g1), at(g2), at(out), R, N, h, rs, ns, s2 ? 1 : 0);
          return out;
        },
        z1: () => {
          const out = allocateHeap([R, M, h]);
          k.tanh2c_grad_z1(at(y0), at(s1), at(g1), at(g2), at(out), R, N, h, rs, ns);
          return out;
        },
        z2: () => tf.mul(tf.sub(1, tf.square(y0)), g2),
      };
    },
  }) as [tf.Tensor, tf.Tensor, tf.Tensor];
}

/** y₀, y₁ and y₂ [R, N, h] per direction, for z₀ [N, h], z₁ [R, M, h] and z₂ [R, M₂, h] or null. */
export function tanhJet2(z0: tf.Tensor, z1: tf.Tensor, z2: tf.Tensor | null): [tf.Tensor, tf.Tensor, tf.Tensor] {
  const [N, h] = z0.shape as [number, number];
  const R = z1.shape[0];
  const [rs, ns] = strides(z1, N, h);
  const [rs2, ns2] = z2 ? strides(z2, N, h) : [0, 0];
  const k = simd();
  const at = heapOffset;
  return customOp<tf.Tensor[]>({
    inputs: z2 ? { z0, z1, z2 } : { z0, z1 },
    forward: (save) => {
      const y0 = tf.tanh(z0);
      const [y1, y2] = [allocateHeap([R, N, h]), allocateHeap([R, N, h])];
      k.tanh2_fwd(at(y0), at(z1), z2 ? at(z2) : 0, at(y1), at(y2), R, N, h, rs, ns, rs2, ns2, z2 ? 1 : 0);
      save(z2 ? [y0, z1, z2] : [y0, z1]);
      return [y0, y1, y2];
    },
    backward: ([g0, g1, g2], [y0, s1, s2]) => {
      if (isRecording()) throw new Error('the fused tanh jet has a first-order gradient only');
      return {
        z0: () => {
          const out = allocateHeap([N, h]);
          k.tanh2_grad_z0(at(y0), at(s1), s2 ? at(s2) : 0, at(g0), at(g1), at(g2), at(out), R, N, h, rs, ns, rs2, ns2, s2 ? 1 : 0);
          return out;
        },
        z1: () => {
          const out = allocateHeap(s1.shape);
          k.tanh2_grad_z12(at(y0), at(s1), at(g1), at(g2), at(out), 0, R, N, h, rs, ns, rs2, ns2);
          return out;
        },
        z2: () => {
          const out = allocateHeap(s2.shape);
          k.tanh2_grad_z12(at(y0), at(s1), at(g1), at(g2), 0, at(out), R, N, h, rs, ns, rs2, ns2);
          return out;
        },
      };
    },
  }) as [tf.Tensor, tf.Tensor, tf.Tensor];
}
