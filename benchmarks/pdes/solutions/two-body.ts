/**
 * The two-body exact solution of the inseparable PDEs (pdes.md §2.1, §2.3):
 * u* = φ·ψ₂, φ = 1 − ‖x‖², ψ₂ = Σ_{i<d} c_i sin(s_i), s_i = x_i + cos x_{i+1} + x_{i+1} cos x_i,
 * and its exact Laplacian (the per-term formula of §2.3).
 *
 * Transcendentals dominate the cost at large d (each is a pass over [N, d]), so sin x and cos x are
 * taken once over all coordinates and shifted for x_{i+1}, and u* and Δu* share sin s and cos s,
 * each pair from one tangent (trig.ts). On wasm each pair is one SIMD pass, and the algebra around
 * them (s_i, and the three c-weighted sums of Δu*: sixteen elementwise passes, six shifted copies,
 * three products) two more (engine/simd/kernels.wat); on webgpu all of it is one WGSL program
 * (engine/webgpu/two-body.ts); the cpu backend and taped evaluations use tf ops.
 */
import * as tf from '@tensorflow/tfjs';
import * as J from '../../../taylor/ops.ts';
import { constant } from '../../../taylor/jet.ts';
import type { Jet, Operand } from '../../../taylor/ops.ts';
import { phi, type Solution } from './solution.ts';
import { sinCos, sinCosKernel } from './trig.ts';
import { blocks, perBlock } from '../../../engine/row-blocks.ts';
import { allocateHeap, heapOffset } from '../../../engine/wasm-heap.ts';
import { directKernel } from '../../../engine/simd/simd.ts';
import { sumSquaresRows } from '../../../engine/sum-squares.ts';
import { webgpuTwoBodyPairSums } from '../../../engine/webgpu/two-body.ts';
import { dataKernelBackend } from '../../../engine/data-kernels.ts';

export interface TwoBodyOptions {
  /** false: tf ops only (tests compare the paths). By default the backend's own kernels run where they can. */
  kernels?: boolean;
}

export function twoBody(c: tf.Tensor1D, d: number, opts: TwoBodyOptions = {}): Solution {
  if (c.shape[0] !== d - 1) throw new Error(`two-body needs d − 1 = ${d - 1} coefficients, got ${c.shape[0]}`);
  const lo = <T extends Operand>(t: T) => J.sliceLast(t, 0, d - 1); // x_i, i < d
  const hi = <T extends Operand>(t: T) => J.sliceLast(t, 1, d - 1); // x_{i+1}
  const u = (x: Operand): Jet => {
    // Plain points (data-fit targets, test errors): the same closed form as the source, so the
    // `none` floor and the PDE loss pay alike for u*.
    if (x instanceof tf.Tensor) return constant(tf.tidy(() => closedForm(x as tf.Tensor2D, false).u));
    const cx = J.cos(x);
    const s = J.add(J.add(lo(x), hi(cx)), J.mul(hi(x), lo(cx)));
    return J.mul(phi(x), J.dotConst(J.sin(s), c));
  };
  const [tfSums, simdSums, gpuSums] = [tfPairSums(c), simdPairSums(c), webgpuPairSums(c)];
  /** u* and, if asked, Δu* = Σ_i c_i (φ·inner_i − 4·radial_i) − 2d·ψ. */
  const closedForm = (x: tf.Tensor2D, withLaplacian: boolean): { u: tf.Tensor1D; laplacian?: tf.Tensor1D } =>
    tf.tidy(() => {
      // Under a gradient tape (nested AD of u*, the gPINN variants' ∇f) the tf ops run: the kernels have no gradient.
      const kernels = opts.kernels !== false;
      const own = kernels ? dataKernelBackend() : null;
      const pairSums = own === 'wasm' ? simdSums : own === 'webgpu' ? gpuSums : tfSums;
      // Pairs in column chunks: at d = 5·10⁶ one point's two dozen [1, d] temporaries would be
      // most of a gigabyte of WASM heap at once; per chunk they stay within a few MB.
      let sums: tf.Tensor[] | null = null;
      for (const [start, m] of blocks(d - 1, perBlock(x.shape[0]))) {
        const part = tf.tidy(() => pairSums(x, start, m, withLaplacian));
        const next: tf.Tensor[] = sums ? part.map((t, k) => tf.add(sums![k], t)) : part;
        if (sums) tf.dispose([...sums, ...part]);
        sums = next;
      }
      const [psi, negInnerC, radialC] = sums!;
      const ph = tf.sub(1, kernels ? sumSquaresRows(x) : tf.sum(tf.square(x), -1)); // [N]
      const u = tf.mul(ph, psi) as tf.Tensor1D;
      if (!withLaplacian) return { u };
      const laplacian = tf.sub(tf.neg(tf.add(tf.mul(ph, negInnerC), tf.mul(radialC, 4))), tf.mul(psi, 2 * d)) as tf.Tensor1D;
      return { u, laplacian };
    });
  const evaluate = (x: tf.Tensor2D) => closedForm(x, true) as { u: tf.Tensor1D; laplacian: tf.Tensor1D };
  return { u, evaluate };
}

/**
 * The pair sums over pairs i ∈ [lo, lo + m) of [N, d] points: ψ = Σ c_i sin s_i and, with the
 * Laplacian, Σ c_i·(−inner_i) and Σ c_i·radial_i, where (a, b) = (x_i, x_{i+1}) and
 *   s_i = a + cos b + b cos a,   A = ∂s_i/∂x_i = 1 − b sin a,   B = ∂s_i/∂x_{i+1} = cos a − sin b,
 *   −inner_i = sin s_i (A² + B²) + cos s_i (b cos a + cos b),   radial_i = cos s_i (a A + b B).
 */
type PairSums = (x: tf.Tensor2D, lo: number, m: number, withLaplacian: boolean) => tf.Tensor[];

/** x_lo … x_{lo+m}: the columns that pairs lo … lo+m−1 read. */
const columns = (x: tf.Tensor2D, lo: number, m: number) => (lo === 0 && m + 1 === x.shape[1] ? x : tf.slice(x, [0, lo], [-1, m + 1]));

function tfPairSums(c: tf.Tensor1D): PairSums {
  return (x, lo, m, withLaplacian) => {
    const cs = tf.slice(c, [lo], [m]);
    // A few rows (the row-blocked source at d ≥ 10⁵): multiply and sum; matMul would repack c each call.
    const dotC = (t: tf.Tensor) =>
      x.shape[0] < 8 ? tf.sum(tf.mul(t, cs), -1) : tf.reshape(tf.matMul(t as tf.Tensor2D, tf.reshape(cs, [-1, 1]) as tf.Tensor2D), [-1]);
    const window = columns(x, lo, m);
    const [sw, cw] = sinCos(window);
    const at = (t: tf.Tensor, shift: number) => tf.slice(t, [0, shift], [-1, m]);
    const [a, b, ca, cb] = [at(window, 0), at(window, 1), at(cw, 0), at(cw, 1)];
    const second = tf.add(tf.mul(b, ca), cb); // −(∂²s_i/∂x_i² + ∂²s_i/∂x_{i+1}²)
    const [sinS, cosS] = sinCos(tf.add(a, second));
    if (!withLaplacian) return [dotC(sinS)];
    const [sa, sb] = [at(sw, 0), at(sw, 1)];
    const A = tf.sub(1, tf.mul(b, sa));
    const B = tf.sub(ca, sb);
    const negInner = tf.add(tf.mul(sinS, tf.add(tf.square(A), tf.square(B))), tf.mul(cosS, second));
    const radial = tf.mul(cosS, tf.add(tf.mul(a, A), tf.mul(b, B)));
    return [dotC(sinS), dotC(negInner), dotC(radial)];
  };
}

/** The same sums in one WGSL program (webgpu), sin and cos included. */
const webgpuPairSums =
  (c: tf.Tensor1D): PairSums =>
  (x, lo, m, withLaplacian) =>
    webgpuTwoBodyPairSums(x, c, lo, m, withLaplacian);

/** The same sums by SIMD kernels (engine/simd): sin and cos of the coordinates, s_i, sin and cos of s_i, the sums. */
function simdPairSums(c: tf.Tensor1D): PairSums {
  return (x, lo, m, withLaplacian) => {
    const n = x.shape[0];
    const window = columns(x, lo, m);
    const [sw, cw] = sinCosKernel(window);
    const s = allocateHeap([n, m]);
    directKernel('two_body_s', (k) => k.two_body_s(heapOffset(window), heapOffset(cw), heapOffset(s), n, m));
    const [sinS, cosS] = sinCosKernel(s);
    const sums = (withLaplacian ? [n, n, n] : [n]).map((len) => allocateHeap([len]));
    const [psi, negInner, radial] = sums.map(heapOffset);
    directKernel('two_body_sums', (k) =>
      k.two_body_sums(heapOffset(window), heapOffset(sw), heapOffset(cw), heapOffset(sinS), heapOffset(cosS), heapOffset(c) + 4 * lo, n, m, withLaplacian ? 1 : 0, psi, negInner ?? 0, radial ?? 0),
    );
    return sums;
  };
}
