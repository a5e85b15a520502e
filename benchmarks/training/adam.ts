/**
 * Adam (pdes.md §8: β₁ = 0.9, β₂ = 0.999, ε = 1e-8) with the learning rate passed per step, so any
 * schedule drives it. Written out rather than tf.train.adam because that optimizer fixes its rate
 * at construction and defaults ε to the backend's epsilon.
 *
 * Wide weights (engine/wide-layer.ts: the d = 10⁶ first layer, 128 M entries) keep their moments in
 * JS memory, outside the 2 GiB WASM heap (1 GB there), and are updated by the SIMD kernel with the
 * moments staged through the heap, in place: XNNPACK never packs W (engine/wide-layer.ts), so no
 * packed copy of it can go stale. A weight whose buffer is shared is assigned a copy instead.
 *
 * The update below, thirteen tf ops per parameter, is the reference; on wasm and webgpu the
 * backend's own kernels run it instead (engine/fused-adam.ts: one SIMD pass on wasm, the same bits;
 * three programs on webgpu, where a step's cost is per dispatch).
 */
import * as tf from '@tensorflow/tfjs';
import { isWide, releaseGradient, reserveGradient } from '../../engine/wide-layer.ts';
import { allocateHeap, ownsBuffer } from '../../engine/wasm-heap.ts';
import { fusedAdamUpdate, type AdamCoefficients } from '../../engine/fused-adam.ts';
import { simdAdamUpdateHost, type HostMoments } from '../../engine/simd/adam.ts';

export interface AdamConfig {
  beta1: number;
  beta2: number;
  epsilon: number;
}

export const ADAM_DEFAULTS: AdamConfig = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };

export interface AdamOptions {
  /** false: the tf ops only (tests compare the paths). By default the backend's fused update runs where there is one. */
  kernels?: boolean;
}

export class Adam {
  private readonly m = new Map<string, tf.Variable>();
  private readonly v = new Map<string, tf.Variable>();
  /** Moments of wide weights, off the WASM heap. */
  private readonly host = new Map<string, HostMoments>();
  private t = 0;

  constructor(
    private readonly params: tf.Variable[],
    private readonly cfg: AdamConfig = ADAM_DEFAULTS,
    private readonly opts: AdamOptions = {},
  ) {
    for (const p of params) {
      if (isWide(p)) {
        this.host.set(p.name, { m: new Float32Array(p.size), v: new Float32Array(p.size) });
        reserveGradient(p);
        continue;
      }
      // tidy: the variable keeps the data, the temporary zeros tensor goes.
      this.m.set(p.name, tf.tidy(() => tf.variable(tf.zerosLike(p), false)));
      this.v.set(p.name, tf.tidy(() => tf.variable(tf.zerosLike(p), false)));
    }
  }

  /** Bytes of the moments kept in JS memory (wide weights on wasm), which no tensor count sees. */
  get hostBytes(): number {
    let n = 0;
    for (const { m, v } of this.host.values()) n += m.byteLength + v.byteLength;
    return n;
  }

  /**
   * One update with learning rate lr; parameters without a gradient are left alone. Each
   * temporary is released as soon as it is consumed, one parameter at a time: for a 10⁶ × 128 first
   * layer every full-size temporary is 512 MB, and the WASM heap holds 2 GiB (engine/wasm-heap.ts).
   */
  apply(grads: tf.NamedTensorMap, lr: number): void {
    this.t += 1;
    const { beta1, beta2, epsilon } = this.cfg;
    const stepSize = lr / (1 - Math.pow(beta1, this.t));
    const vCorrection = 1 / Math.sqrt(1 - Math.pow(beta2, this.t));
    /** f(a), then a is released. */
    const then = (a: tf.Tensor, f: (a: tf.Tensor) => tf.Tensor) => {
      const out = f(a);
      a.dispose();
      return out;
    };
    const fused = this.opts.kernels === false ? null : fusedAdamUpdate();
    for (const p of this.params) {
      const g = grads[p.name];
      if (!g) continue;
      const host = this.host.get(p.name);
      if (host) {
        this.applyHost(p, g, host, { beta1, beta2, epsilon, stepSize, vCorrection });
        continue;
      }
      const m = this.m.get(p.name)!;
      const v = this.v.get(p.name)!;
      if (fused) {
        tf.tidy(() => {
          const next = fused(p, g, m, v, { beta1, beta2, epsilon, stepSize, vCorrection });
          m.assign(next.m);
          v.assign(next.v);
          p.assign(next.p);
        });
        continue;
      }
      tf.tidy(() => {
        // m ← β₁m + (1 − β₁)g;  v ← β₂v + (1 − β₂)g²
        m.assign(then(tf.mul(g, 1 - beta1), (b) => then(tf.mul(m, beta1), (a) => tf.add(a, b))));
        v.assign(then(then(tf.square(g), (sq) => tf.mul(sq, 1 - beta2)), (b) => then(tf.mul(v, beta2), (a) => tf.add(a, b))));
        // θ ← θ − lr·m̂/(√v̂ + ε), m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ)
        const denom = then(then(tf.sqrt(v), (r) => tf.mul(r, vCorrection)), (r) => tf.add(r, epsilon));
        const update = then(then(denom, (dn) => tf.div(m, dn)), (q) => tf.mul(q, stepSize));
        p.assign(then(update, (u) => tf.sub(p, u)));
      });
    }
  }

  /**
   * The same update for a wide weight, its moments staged through the heap a chunk at a time (the
   * SIMD kernel; element by element in JS it took 1.3 s of a 5.2 s step at d = 10⁶). θ is updated
   * in place unless its buffer is shared.
   */
  private applyHost(p: tf.Variable, g: tf.Tensor, moments: HostMoments, c: AdamCoefficients): void {
    const inPlace = ownsBuffer(p);
    const out = inPlace ? p : allocateHeap(p.shape);
    simdAdamUpdateHost(p, g, moments, c, out);
    if (!inPlace) {
      releaseGradient(p); // reserved under the old data id
      p.assign(out);
      out.dispose();
      reserveGradient(p);
    }
  }

  dispose(): void {
    for (const x of [...this.m.values(), ...this.v.values()]) x.dispose();
    for (const p of this.params) if (this.host.has(p.name)) releaseGradient(p);
    this.host.clear();
  }
}
