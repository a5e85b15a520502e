/** Test functions for the partial-derivative tests: random tanh and sin MLPs as jet functions. */
import * as tf from '@tensorflow/tfjs';
import * as J from '../taylor/ops.ts';
import type { Jet, Operand } from '../taylor/ops.ts';
import { constant } from '../taylor/jet.ts';
import { applyMLP } from '../model/mlp.ts';
import { randomModel } from './helpers.ts';

export interface TestFunction {
  name: string;
  /** On jets (planned jets). */
  jet: (x: Jet) => Jet;
  /** On plain points [N, w] → [N] (nested tf.grad). */
  plain: (x: tf.Tensor) => tf.Tensor;
}

function fromJet(name: string, f: (x: Operand) => Jet): TestFunction {
  return { name, jet: f, plain: (x) => f(constant(x)).primal };
}

export function tanhMLP(dim: number, seed: number, width = 12, depth = 3): TestFunction {
  const m = randomModel({ dim, width, depth }, seed);
  return fromJet(`tanh MLP (d=${dim}, width ${width}, depth ${depth}, seed ${seed})`, (x) => applyMLP(m, x));
}

/** u = w_L · sin(… sin(x W₁ + b₁) …) with weights U(±1/√fan_in), biases U(±0.5). */
export function sinMLP(dim: number, seed: number, width = 12, depth = 3): TestFunction {
  const dims = [dim, ...Array(depth - 1).fill(width), 1];
  const layers = dims.slice(0, -1).map((fanIn, l) => ({
    W: tf.randomUniform([fanIn, dims[l + 1]], -1 / Math.sqrt(fanIn), 1 / Math.sqrt(fanIn), 'float32', seed * 100 + 2 * l),
    b: tf.randomUniform([dims[l + 1]], -0.5, 0.5, 'float32', seed * 100 + 2 * l + 1),
  }));
  return fromJet(`sin MLP (d=${dim}, width ${width}, depth ${depth}, seed ${seed})`, (x) => {
    let h: Operand = x;
    layers.forEach((l, i) => {
      const z = J.affine(h, l.W, l.b);
      h = i + 1 < layers.length ? J.sin(z) : z;
    });
    return J.sum(h, -1);
  });
}
