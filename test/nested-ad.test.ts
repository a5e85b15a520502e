/**
 * Nested tf.grad to 3rd order through tanh / sin / exp / sigmoid (the re-registered gradients of
 * engine/gradients.ts), against closed forms: for u(x) = Σ_k a_k σ(w_k·x + b_k),
 * ∂ⁿu/∂x_iⁿ = Σ_k a_k w_kiⁿ σ⁽ⁿ⁾(z_k).
 */
import { test, before } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { setup, assertClose, values } from './helpers.ts';
import { reversePartials } from '../operators/reverse.ts';

before(setup);

type Act = { name: string; f: (z: tf.Tensor) => tf.Tensor; d: ((s: number) => number)[] };
const th = Math.tanh;
const sig = (z: number) => 1 / (1 + Math.exp(-z));
const ACTS: Act[] = [
  { name: 'tanh', f: tf.tanh, d: [(z) => 1 - th(z) ** 2, (z) => -2 * th(z) * (1 - th(z) ** 2), (z) => -2 * (1 - th(z) ** 2) * (1 - 3 * th(z) ** 2)] },
  { name: 'sin', f: tf.sin, d: [Math.cos, (z) => -Math.sin(z), (z) => -Math.cos(z)] },
  { name: 'exp', f: tf.exp, d: [Math.exp, Math.exp, Math.exp] },
  { name: 'sigmoid', f: tf.sigmoid, d: [(z) => sig(z) * (1 - sig(z)), (z) => sig(z) * (1 - sig(z)) * (1 - 2 * sig(z)), (z) => sig(z) * (1 - sig(z)) * (1 - 6 * sig(z) + 6 * sig(z) ** 2)] },
];

const W = [[0.7, -0.4, 0.2], [0.3, 0.9, -0.6]]; // [d = 2, k = 3]
const b = [0.1, -0.2, 0.3];
const a = [0.5, -1.1, 0.8];
const X = [[0.3, -0.2], [-0.5, 0.4]];

for (const act of ACTS) {
  test(`nested tf.grad orders 1–3 through ${act.name}`, () => {
    const u = (x: tf.Tensor) => tf.sum(tf.matMul(act.f(tf.add(tf.matMul(x, tf.tensor2d(W)), tf.tensor1d(b))), tf.tensor2d(a, [3, 1])));
    const x = tf.tensor2d(X);
    for (const i of [0, 1]) {
      // g_n(x) = Σ_points ∂ⁿu/∂x_iⁿ; each level differentiates the previous one.
      let g: (x: tf.Tensor) => tf.Tensor = u;
      for (let n = 1; n <= 3; n++) {
        const prev = g;
        g = (y: tf.Tensor) => tf.sum(tf.slice(tf.grad(prev)(y), [0, i], [-1, 1]));
        const got = values(tf.slice(tf.grad(prev)(x), [0, i], [-1, 1]));
        const want = X.map((p) => {
          let s = 0;
          for (let k = 0; k < 3; k++) {
            const z = p[0] * W[0][k] + p[1] * W[1][k] + b[k];
            s += a[k] * W[i][k] ** n * act.d[n - 1](z);
          }
          return s;
        });
        assertClose(got, want, 1e-4, `${act.name} order ${n} x_${i}`);
      }
    }
  });
}

test('reversePartials: the values of nested reverse mode, and requests sharing a prefix share its gradient pass', () => {
  let calls = 0;
  const u = (y: tf.Tensor) => (calls++, tf.reshape(tf.matMul(tf.tanh(tf.add(tf.matMul(y, tf.tensor2d(W)), tf.tensor1d(b))), tf.tensor2d(a, [3, 1])), [-1]) as tf.Tensor1D);
  const x = tf.tensor2d(X);
  const [uxx, uxy, uyy] = reversePartials(u, x, [[0, 0], [0, 1], [1, 1]]);
  // u_xx and u_xy share ∇(∂u/∂x_0): two second-level passes for three requests, one evaluation of u each.
  assert.equal(calls, 2);
  const want = (i: number, j: number) =>
    X.map((p) => a.reduce((s, ak, k) => s + ak * W[i][k] * W[j][k] * ACTS[0].d[1](p[0] * W[0][k] + p[1] * W[1][k] + b[k]), 0));
  assertClose(values(uxx), want(0, 0), 1e-4, 'u_xx');
  assertClose(values(uxy), want(0, 1), 1e-4, 'u_xy');
  assertClose(values(uyy), want(1, 1), 1e-4, 'u_yy');
});
