/**
 * The normal stream of sampling/threefry.ts as a WGSL kernel (webgpu backend): Threefry-2x32-20 on
 * the counter (pair index, 0) under the key (k0, k1), Box–Muller on each pair of 24-bit uniforms,
 * one invocation per pair. tfjs would draw the numbers in JS and upload them: at d = 10⁶ (10⁸
 * normals per step, ~3 s) that alone would cap Table 3 at 10⁶ near 0.3 steps/s whatever the GPU.
 */
import * as tf from '@tensorflow/tfjs';
import { FlatProgram, runFlatProgram } from './program.ts';
import { THREEFRY_PARITY as PARITY, THREEFRY_ROTATIONS as ROTATIONS } from '../../sampling/threefry-constants.ts';

/** The 20 rounds in WGSL, with a key injection after every fourth. */
function threefryRounds(): string {
  const lines: string[] = [];
  for (let r = 0; r < 20; r++) {
    lines.push(`x0 = x0 + x1; x1 = rotl(x1, ${ROTATIONS[r % 8]}u) ^ x0;`);
    if (r % 4 === 3) {
      const s = (r + 1) / 4;
      lines.push(`x0 = x0 + ks[${s % 3}]; x1 = x1 + ks[${(s + 1) % 3}] + ${s}u;`);
    }
  }
  return lines.join('\n        ');
}

/** Counters (pairs of the stream) that elements from … from + n − 1 touch. */
const pairsSpanned = (from: number, n: number) => Math.floor((from + n - 1) / 2) - Math.floor(from / 2) + 1;

class ThreefryNormalProgram extends FlatProgram {
  constructor(shape: number[], from: number) {
    // One invocation per pair of the stream; output j is stream element from + j.
    super('stdeThreefryNormal', shape, [], 'k0 : u32, k1 : u32, offset : u32,', pairsSpanned(from, tf.util.sizeFromShape(shape)));
  }

  getUserCode(): string {
    return `
      fn rotl(x : u32, r : u32) -> u32 { return (x << r) | (x >> (32u - r)); }
      fn main(index : i32) {
        let counter = uniforms.offset / 2u + u32(index);
        let first = i32(2u * counter) - i32(uniforms.offset); // output index of the counter's cos half (−1: before the range)
        if (first >= uniforms.size) { return; }
        var ks = array<u32, 3>(uniforms.k0, uniforms.k1, ${PARITY}u ^ uniforms.k0 ^ uniforms.k1);
        var x0 = counter + ks[0];
        var x1 = ks[1];
        ${threefryRounds()}
        // Box–Muller on u1 ∈ (0, 1] and u2 ∈ [0, 1), 24 bits each.
        let u1 = (f32(x0 >> 8u) + 1.0) * 5.9604644775390625e-8;
        let u2 = f32(x1 >> 8u) * 5.9604644775390625e-8;
        let radius = sqrt(-2.0 * log(u1));
        let angle = 6.283185307179586 * u2;
        if (first >= 0) { setOutputAtIndex(first, radius * cos(angle)); }
        if (first + 1 < uniforms.size) { setOutputAtIndex(first + 1, radius * sin(angle)); }
      }
    `;
  }
}

/** N(0, 1) numbers of the given shape on the webgpu backend: elements from … of the stream of the 64-bit key (k0, k1). */
export function webgpuRandomNormal(shape: number[], k0: number, k1: number, from = 0): tf.Tensor {
  return runFlatProgram(new ThreefryNormalProgram(shape, from), [], [
    { type: 'uint32', data: [k0 >>> 0] },
    { type: 'uint32', data: [k1 >>> 0] },
    { type: 'uint32', data: [from >>> 0] },
  ]);
}
