/**
 * Adam (pdes.md §8: β₁ = 0.9, β₂ = 0.999, ε = 1e-8) with the learning rate passed per step, so any
 * schedule drives it. Written out rather than tf.train.adam because that optimizer fixes its rate
 * at construction and defaults ε to the backend's epsilon.
 */
import * as tf from '@tensorflow/tfjs';

export interface AdamConfig {
  beta1: number;
  beta2: number;
  epsilon: number;
}

export const ADAM_DEFAULTS: AdamConfig = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };

export class Adam {
  private readonly m = new Map<string, tf.Variable>();
  private readonly v = new Map<string, tf.Variable>();
  private t = 0;

  constructor(
    private readonly params: tf.Variable[],
    private readonly cfg: AdamConfig = ADAM_DEFAULTS,
  ) {
    for (const p of params) {
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
    for (const p of this.params) {
      const g = grads[p.name];
      if (!g) continue;
      tf.tidy(() => {
        const m = this.m.get(p.name)!;
        const v = this.v.get(p.name)!;
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

  dispose(): void {
    for (const x of [...this.m.values(), ...this.v.values()]) x.dispose();
  }
}
