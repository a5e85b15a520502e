/**
 * Adam's update of one parameter on wasm in one SIMD pass (kernels.wat `adam`): θ, g, m and v read
 * once, θ', m' and v' written once, into fresh tensors. Not in place: a weight may be packed by
 * XNNPACK under its data id (a product our own kernel does not take), and an update in place would
 * leave that pack stale; the wide weight, which XNNPACK never sees, is the exception
 * (simdAdamUpdateHost). The arithmetic is the op-by-op version's, in its order, in f32, so the
 * results are the same bits.
 */
import * as tf from '@tensorflow/tfjs';
import { allocateHeap, heapFloat32, heapOffset } from '../wasm-heap.ts';
import type { AdamCoefficients, AdamUpdate } from '../fused-adam.ts';
import { directKernel } from './simd.ts';

/** The kernel over n entries at byte offsets θ, g, m, v → θ', m', v' (an output may be its input). */
function adam(at: { p: number; g: number; m: number; v: number; po: number; mo: number; vo: number }, n: number, c: AdamCoefficients): void {
  // 1 − β in double, then f32 (as the tensor version's number operands are: in f32, 1 − 0.9 is not 0.1).
  directKernel('adam', (k) => k.adam(at.p, at.g, at.m, at.v, at.po, at.mo, at.vo, n, c.beta1, 1 - c.beta1, c.beta2, 1 - c.beta2, c.stepSize, c.vCorrection, c.epsilon));
}

function checkOperands(p: tf.Tensor, g: tf.Tensor, ...rest: tf.Tensor[]): void {
  for (const t of [p, g, ...rest]) if (t.dtype !== 'float32') throw new Error(`Adam on wasm updates float32 tensors, got ${t.dtype}`);
  if (g.size !== p.size) throw new Error(`Adam: gradient of ${g.size} entries for a parameter of ${p.size}`);
}

export const simdAdamUpdate: AdamUpdate = (p, g, m, v, c) => {
  checkOperands(p, g, m, v);
  const out = { p: allocateHeap(p.shape), m: allocateHeap(p.shape), v: allocateHeap(p.shape) };
  const [pp, gp, mp, vp] = [p, g, m, v].map(heapOffset);
  adam({ p: pp, g: gp, m: mp, v: vp, po: heapOffset(out.p), mo: heapOffset(out.m), vo: heapOffset(out.v) }, p.size, c);
  return out;
};

/** Adam moments kept in JS memory (a wide weight's: 1 GB at d = 10⁶ would not fit the heap beside it). */
export interface HostMoments {
  m: Float32Array;
  v: Float32Array;
}

/**
 * Entries of m and v staged on the heap at a time (tests lower it). 2¹⁵ (256 KB for both) keeps the
 * staged chunk in L2 between the copy in, the kernel and the copy out: the update of a 128 M-entry
 * weight took 313 ms against 352 ms with 2²⁰ (4 MB each) and 373 ms with 2¹⁷, standalone, same process.
 */
export const HOST_STAGING = { chunk: 2 ** 15 };

/**
 * The same update for a parameter whose moments live in JS memory: each chunk of m and v is copied
 * into a heap buffer, updated there in place by the kernel, and copied back; θ' goes to `out`, which
 * may be θ itself (the wide weight, updated in place).
 */
export function simdAdamUpdateHost(p: tf.Tensor, g: tf.Tensor, moments: HostMoments, c: AdamCoefficients, out: tf.Tensor): void {
  checkOperands(p, g, out);
  const n = p.size;
  const chunk = Math.min(HOST_STAGING.chunk, n);
  const stage = allocateHeap([2, chunk]);
  try {
    const view = heapFloat32(stage); // no allocation below: the view stays attached
    const [pp, gp, po, sm] = [p, g, out, stage].map(heapOffset);
    const sv = sm + 4 * chunk;
    for (let i = 0; i < n; i += chunk) {
      const len = Math.min(chunk, n - i);
      view.set(moments.m.subarray(i, i + len), 0);
      view.set(moments.v.subarray(i, i + len), chunk);
      adam({ p: pp + 4 * i, g: gp + 4 * i, m: sm, v: sv, po: po + 4 * i, mo: sm, vo: sv }, len, c);
      moments.m.set(view.subarray(0, len), i);
      moments.v.set(view.subarray(chunk, chunk + len), i);
    }
  } finally {
    stage.dispose();
  }
}
