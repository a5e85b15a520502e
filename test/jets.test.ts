/** Jets of order 1–4 give every diagonal derivative ∂ᵏu/∂x_iᵏ equal to nested AD. */
import { test, before } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { setup, randomModel, randomPoints, assertClose, values } from './helpers.ts';
import { applyMLP, forwardMLP } from '../model/mlp.ts';
import { basis, constant, derivative, inputJet, type Jet } from '../taylor/jet.ts';
import * as J from '../taylor/ops.ts';

before(setup);

/** Nested reverse mode: [k][i] → ∂ᵏf/∂x_iᵏ at every point. */
function nestedDiagonal(f: (x: tf.Tensor) => tf.Tensor, x: tf.Tensor, i: number, K: number): number[][] {
  const out: number[][] = [];
  let g = (y: tf.Tensor) => tf.sum(f(y));
  for (let k = 1; k <= K; k++) {
    const prev = g;
    out.push(values(tf.slice(tf.grad(prev)(x), [0, i], [-1, 1])));
    g = (y: tf.Tensor) => tf.sum(tf.slice(tf.grad(prev)(y), [0, i], [-1, 1]));
  }
  return out;
}

/** All d basis directions in one batched jet; derivative(k) is [d, N]. */
function jetDiagonal(f: (x: J.Operand) => Jet, x: tf.Tensor, K: number): number[][][] {
  const d = x.shape[1]!;
  const jet = f(inputJet(x, [basis(tf.range(0, d, 1, 'int32') as tf.Tensor1D, d), ...Array(K - 1).fill(null)]));
  return [...Array(K).keys()].map((k) => tf.unstack(derivative(jet, k + 1)).map(values));
}

// A function exercising every rule: exp, log, div, sin, cos, powInt, sumSquares, mul.
const zoo = (x: J.Operand): Jet => {
  const s = J.sumSquares(x);
  const a = J.mul(J.sin(J.sum(J.scale(x, 0.7))), J.exp(J.scale(s, -0.3)));
  const b = J.div(J.cos(J.sum(x)), J.shift(s, 2));
  return J.add(J.add(a, b), J.sub(J.log(J.shift(s, 1)), J.powInt(J.sum(J.scale(x, 0.4)), 3)));
};

const cases: { name: string; f: (x: J.Operand) => Jet; d: number }[] = [
  (() => {
    const m = randomModel({ dim: 3, width: 12, depth: 3 }, 5);
    return { name: 'tanh MLP depth 3', f: (x: J.Operand) => applyMLP(m, x), d: 3 };
  })(),
  (() => {
    const m = randomModel({ dim: 4, width: 8, depth: 2, block: 2 }, 6);
    return { name: 'tanh MLP with weight sharing', f: (x: J.Operand) => applyMLP(m, x), d: 4 };
  })(),
  (() => {
    const m = randomModel({ dim: 4, width: 8, depth: 2, block: 2, sharing: 'conv' }, 6);
    return { name: 'tanh MLP with convolution sharing', f: (x: J.Operand) => applyMLP(m, x), d: 4 };
  })(),
  { name: 'exp/log/div/sin/cos/pow composite', f: zoo, d: 3 },
];

for (const c of cases) {
  test(`jets of order 1–4 equal nested AD: ${c.name}`, () => {
    const x = randomPoints(4, c.d, 3, 0.6);
    const K = 4;
    const jets = jetDiagonal(c.f, x, K);
    const plain = (y: tf.Tensor) => c.f(constant(y)).primal;
    for (let i = 0; i < c.d; i++) {
      const ref = nestedDiagonal(plain, x, i, K);
      for (let k = 0; k < K; k++) assertClose(jets[k][i], ref[k], 1e-4, `order ${k + 1}, i = ${i}`);
    }
  });
}

test('collapsed top coefficient equals the sum of per-direction tops', () => {
  const m = randomModel({ dim: 5, width: 10, depth: 3 }, 8);
  const x = randomPoints(3, 5, 9);
  const idx = tf.tensor1d([4, 0, 2], 'int32');
  for (const K of [2, 3]) {
    const tangents = [basis(idx, 5), ...Array(K - 1).fill(null)];
    const full = applyMLP(m, inputJet(x, tangents));
    const col = applyMLP(m, inputJet(x, tangents, true));
    assertClose(values(derivative(col, K)), values(tf.sum(derivative(full, K), 0)), 1e-4, `K = ${K}`);
    assertClose(values(col.primal), values(forwardMLP(m, x)), 1e-6, 'primal');
  }
});
