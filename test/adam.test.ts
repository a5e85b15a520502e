/**
 * Adam (benchmarks/training/adam.ts, pdes.md §8) against the update written out in float64:
 * m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ), θ ← θ − lr_t·m̂/(√v̂ + ε), for the backend's own update and
 * the tf ops alike (the fused-vs-ops comparison alone cannot see a coefficient both share).
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { setup, assertClose, values } from './helpers.ts';
import { Adam, ADAM_DEFAULTS } from '../benchmarks/training/adam.ts';

before(setup);

const THETA = [0.5, -1.2, 2, 0.03];
// Signs and sizes change between steps, so m̂/√v̂ is not ±1 after the first; 1e-3 sits nearer ε.
const GRADS = [
  [0.3, -2, 1e-3, 4],
  [-0.1, -1.5, 2e-3, 0.5],
  [0.2, 0.7, -1e-3, 3],
].map((g) => Array.from(Float32Array.from(g)));
const LR = [1e-2, 5e-3, 2.5e-3]; // a schedule: each step's rate applies to that step only

/** θ after each step, by the definition. */
function reference(): number[][] {
  const { beta1, beta2, epsilon } = ADAM_DEFAULTS;
  const theta = [...THETA];
  const m = theta.map(() => 0);
  const v = theta.map(() => 0);
  return GRADS.map((g, s) => {
    const t = s + 1;
    for (let i = 0; i < theta.length; i++) {
      m[i] = beta1 * m[i] + (1 - beta1) * g[i];
      v[i] = beta2 * v[i] + (1 - beta2) * g[i] ** 2;
      theta[i] -= (LR[s] * (m[i] / (1 - beta1 ** t))) / (Math.sqrt(v[i] / (1 - beta2 ** t)) + epsilon);
    }
    return [...theta];
  });
}

test("Adam's constants are the spec's: β₁ = 0.9, β₂ = 0.999, ε = 1e-8 (pdes.md §8)", () => {
  assert.deepEqual(ADAM_DEFAULTS, { beta1: 0.9, beta2: 0.999, epsilon: 1e-8 }); // the reference below takes them from here
});

for (const kernels of [true, false]) {
  test(`Adam (${kernels ? "the backend's fused update where it has one" : 'tf ops'}): three steps with a changing rate match the float64 definition`, () => {
    const p = tf.variable(tf.tensor1d(THETA), true, `adam-reference-${kernels}`);
    const adam = new Adam([p], ADAM_DEFAULTS, { kernels });
    const want = reference();
    GRADS.forEach((g, s) => {
      const grad = tf.tensor1d(g);
      adam.apply({ [p.name]: grad }, LR[s]);
      grad.dispose();
      assertClose(values(p), want[s], 1e-5, `step ${s + 1}: θ`);
    });
    adam.dispose();
    p.dispose();
  });
}
