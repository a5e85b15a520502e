/**
 * The normal random numbers of the domain samplers: one counter-based stream, computed where the
 * tensor lives. Threefry-2x32 with 20 rounds (Salmon et al., Random123; the generator JAX uses) on
 * the counter (i, 0) under a 64-bit key from the caller's seeded stream gives two 32-bit words; Box–
 * Muller on their top 24 bits gives two normals:
 *
 *   u1 = (x0 >> 8 + 1)·2⁻²⁴,  u2 = (x1 >> 8)·2⁻²⁴,  out[2i] = √(−2 ln u1)·cos 2πu2,  out[2i+1] = …·sin 2πu2.
 *
 * tfjs draws random numbers in JS, ~30 ns per normal on every backend: at d = 10⁶ (10⁸ normals per
 * step) that is ~3 s a step, most of a wasm step and, on a GPU, far more than everything else. Here
 * the stream is a SIMD kernel on wasm (engine/simd/kernels.wat), a WGSL kernel on webgpu
 * (engine/webgpu/random.ts) and this file's JS on the other backends; they agree to float32 rounding
 * (tested), so a seed gives the same points on every backend.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from './rng.ts';
import { webgpuRandomNormal } from '../engine/webgpu/random.ts';
import { directKernel } from '../engine/simd/simd.ts';
import { allocateHeap, heapFloat32, heapOffset } from '../engine/wasm-heap.ts';
import { THREEFRY_PARITY as PARITY, THREEFRY_ROTATIONS as ROTATIONS } from './threefry-constants.ts';

/** Threefry-2x32-20 of counter (c0, c1) under key (k0, k1), as unsigned 32-bit words. */
export function threefry2x32(c0: number, c1: number, k0: number, k1: number): [number, number] {
  const ks = [k0 >>> 0, k1 >>> 0, (PARITY ^ k0 ^ k1) >>> 0];
  let x0 = (c0 + ks[0]) >>> 0;
  let x1 = (c1 + ks[1]) >>> 0;
  for (let r = 0; r < 20; r++) {
    const s = ROTATIONS[r % 8];
    x0 = (x0 + x1) >>> 0;
    x1 = ((((x1 << s) | (x1 >>> (32 - s))) >>> 0) ^ x0) >>> 0;
    if (r % 4 === 3) {
      const i = (r + 1) / 4;
      x0 = (x0 + ks[i % 3]) >>> 0;
      x1 = (x1 + ks[(i + 1) % 3] + i) >>> 0;
    }
  }
  return [x0, x1];
}

/** Elements from … from + out.length − 1 of the stream of key (k0, k1), written into `out` (JS). */
export function fillNormals(out: Float32Array, from: number, k0: number, k1: number): void {
  for (let j = 0; j < out.length; j++) {
    const i = from + j;
    const [x0, x1] = threefry2x32(i >>> 1, 0, k0, k1);
    const radius = Math.sqrt(-2 * Math.log(((x0 >>> 8) + 1) * 2 ** -24));
    const angle = 2 * Math.PI * (x1 >>> 8) * 2 ** -24;
    out[j] = radius * (i % 2 === 0 ? Math.cos(angle) : Math.sin(angle));
  }
}

/**
 * N(0, 1) numbers of the given shape, elements from … from + size − 1 of the stream of the key (k0, k1),
 * on the current backend: a block of rows drawn with its offset is the same rows of one whole draw.
 */
export function normalsFromKey(shape: number[], k0: number, k1: number, from = 0): tf.Tensor {
  const n = tf.util.sizeFromShape(shape);
  const backend = tf.getBackend();
  if (backend === 'webgpu') return webgpuRandomNormal(shape, k0, k1, from);
  if (backend !== 'wasm') {
    const values = new Float32Array(n);
    fillNormals(values, from, k0, k1);
    return tf.tensor(values, shape);
  }
  const out = allocateHeap(shape);
  // The kernel starts at a counter (an even element) and writes sixteen numbers (eight counters) at
  // a time; an odd first element and the tail come from the JS definition.
  const head = Math.min(n, from % 2);
  if (head) fillNormals(heapFloat32(out).subarray(0, head), from, k0, k1);
  const pairs = Math.floor((n - head) / 16);
  directKernel('threefry_normal', (k) => k.threefry_normal(heapOffset(out) + 4 * head, pairs, (from + head) / 2, k0, k1));
  const done = head + 16 * pairs;
  if (done < n) fillNormals(heapFloat32(out).subarray(done), from + done, k0, k1);
  return out;
}

/** The key of one draw of the stream: two draws from `rng`. */
export function streamKey(rng: Rng): [number, number] {
  return [rng.int31(), rng.int31()];
}

/** N(0, 1) numbers of the given shape, keyed by `streamKey(rng)`. */
export function randomNormal(shape: number[], rng: Rng): tf.Tensor {
  return normalsFromKey(shape, ...streamKey(rng));
}
