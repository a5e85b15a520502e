/**
 * Adam's update of one parameter on wasm in one SIMD pass (kernels.wat `adam`): θ, g, m and v read
 * once, θ', m' and v' written once, into fresh tensors. Never in place: a weight may be packed by
 * XNNPACK under its data id (a product our own kernel does not take), and an update in place would
 * leave that pack stale. The arithmetic is the op-by-op version's, in its order, in f32, so the
 * results are the same bits.
 */
import * as tf from '@tensorflow/tfjs';
import { allocateHeap, heapOffset } from '../wasm-heap.ts';
import type { AdamUpdate } from '../fused-adam.ts';
import { simd } from './simd.ts';

export const simdAdamUpdate: AdamUpdate = (p, g, m, v, c) => {
  for (const t of [p, g, m, v]) if (t.dtype !== 'float32') throw new Error(`Adam on wasm updates float32 tensors, got ${t.dtype}`);
  if (g.size !== p.size) throw new Error(`Adam: gradient of ${g.size} entries for a parameter of ${p.size}`);
  const out = { p: allocateHeap(p.shape), m: allocateHeap(p.shape), v: allocateHeap(p.shape) };
  // 1 − β in double, then f32 (as the tensor version's number operands are: in f32, 1 − 0.9 is not 0.1).
  simd().adam(heapOffset(p), heapOffset(g), heapOffset(m), heapOffset(v), heapOffset(out.p), heapOffset(out.m), heapOffset(out.v), p.size,
    c.beta1, 1 - c.beta1, c.beta2, 1 - c.beta2, c.stepSize, c.vCorrection, c.epsilon);
  return out;
};
