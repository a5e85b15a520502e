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

  /** One update with learning rate lr; parameters without a gradient are left alone. */
  apply(grads: tf.NamedTensorMap, lr: number): void {
    this.t += 1;
    const { beta1, beta2, epsilon } = this.cfg;
    const stepSize = lr / (1 - Math.pow(beta1, this.t));
    const vCorrection = 1 / Math.sqrt(1 - Math.pow(beta2, this.t));
    tf.tidy(() => {
      for (const p of this.params) {
        const g = grads[p.name];
        if (!g) continue;
        const m = this.m.get(p.name)!;
        const v = this.v.get(p.name)!;
        const m1 = tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1));
        const v1 = tf.add(tf.mul(v, beta2), tf.mul(tf.square(g), 1 - beta2));
        m.assign(m1);
        v.assign(v1);
        // θ ← θ − lr·m̂/(√v̂ + ε), m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ)
        p.assign(tf.sub(p, tf.mul(tf.div(m1, tf.add(tf.mul(tf.sqrt(v1), vCorrection), epsilon)), stepSize)));
      }
    });
  }

  dispose(): void {
    for (const x of [...this.m.values(), ...this.v.values()]) x.dispose();
  }
}
