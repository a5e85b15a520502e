/**
 * Adam (pdes.md §8: β₁ = 0.9, β₂ = 0.999, ε = 1e-8) with the learning rate passed per step, so any
 * schedule drives it. Written out rather than tf.train.adam because that optimizer fixes its rate
 * at construction and defaults ε to the backend's epsilon.
 *
 * Wide weights (engine/wide-layer.ts: the d = 10⁶ first layer, 128 M entries) keep their moments in
 * JS memory, outside the 2 GiB WASM heap (1 GB there), and are updated in one pass over views of
 * the gradient and the weight, in place: the wide layer reads W only through slices and gathers,
 * so no packed copy of it can go stale. A weight whose buffer is shared is assigned a copy instead.
 *
 * The update below, thirteen tf ops per parameter, is the reference; on wasm and webgpu the
 * backend's own kernels run it instead (engine/fused-adam.ts: one SIMD pass on wasm, the same bits;
 * three programs on webgpu, where a step's cost is per dispatch).
 */
import * as tf from '@tensorflow/tfjs';
import { isWide, releaseGradient, reserveGradient } from '../../engine/wide-layer.ts';
import { heapFloat32, ownsBuffer } from '../../engine/wasm-heap.ts';
import { fusedAdamUpdate } from '../../engine/fused-adam.ts';

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
  private readonly host = new Map<string, { m: Float32Array; v: Float32Array }>();
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
        this.applyHost(p, g, host, stepSize, vCorrection);
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

  /** The same update, element by element, on the heap views (moments in JS memory). */
  private applyHost(p: tf.Variable, g: tf.Tensor, s: { m: Float32Array; v: Float32Array }, stepSize: number, vCorrection: number): void {
    const { beta1, beta2, epsilon } = this.cfg;
    const inPlace = ownsBuffer(p);
    const w = inPlace ? heapFloat32(p) : Float32Array.from(p.dataSync());
    const grad = heapFloat32(g);
    const { m, v } = s;
    const n = w.length; // hoisted: a heap view's length is not a constant to V8 (the heap can grow)
    for (let i = 0; i < n; i++) {
      const gi = grad[i];
      const mi = beta1 * m[i] + (1 - beta1) * gi;
      const vi = beta2 * v[i] + (1 - beta2) * gi * gi;
      m[i] = mi;
      v[i] = vi;
      w[i] -= (stepSize * mi) / (Math.sqrt(vi) * vCorrection + epsilon);
    }
    if (!inPlace) {
      releaseGradient(p); // reserved under the old data id
      p.assign(tf.tensor(w, p.shape));
      reserveGradient(p);
    }
  }

  dispose(): void {
    for (const x of [...this.m.values(), ...this.v.values()]) x.dispose();
    for (const p of this.params) if (this.host.has(p.name)) releaseGradient(p);
    this.host.clear();
  }
}
