/**
 * Initialisation (decisions.md D20): weights U(±1/√fan_in), biases U(±1/√fan_out) as published, so the
 * output layer's and the weight-sharing map's biases are U(±1).
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { setup, randomModel, values } from './helpers.ts';
import type { Dense } from '../model/mlp.ts';

before(setup);

/** Every entry within ±bound, and the largest near it (a uniform draw of many fills its range). */
function assertSpans(xs: number[], bound: number, what: string, near = 0.8): void {
  const max = xs.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
  assert.ok(max <= bound, `${what}: |x| up to ${max}, past ${bound}`);
  assert.ok(max >= near * bound, `${what}: |x| only up to ${max}, bound ${bound}`);
}

test('D20: weights within ±1/√fan_in, biases within ±1/√fan_out, each spanning its range', () => {
  // d = 4096, width 64: fan_in 4096 and fan_out 64 give bounds 1/64 and 1/8 for the first layer,
  // 1/8 and 1 for the output layer; the fan_in bound would keep those biases 8× narrower.
  const m = randomModel({ dim: 4096, width: 64, depth: 3, block: 1 }, 3);
  const dims = [4096, 64, 64, 1];
  m.layers.forEach((l: Dense, k) => {
    assertSpans(values(l.W), 1 / Math.sqrt(dims[k]), `layer ${k} W`, 0.99);
    if (dims[k + 1] > 1) assertSpans(values(l.b), 1 / Math.sqrt(dims[k + 1]), `layer ${k} b`);
  });
  // One output bias and one weight-sharing bias per network: U(±1), seen over 20 seeds.
  const outputBiases: number[] = [];
  const shareBiases: number[] = [];
  for (let seed = 0; seed < 20; seed++) {
    const s = randomModel({ dim: 64, width: 4, depth: 2, block: 16 }, seed);
    outputBiases.push(...values(s.layers[1].b));
    shareBiases.push(...values(s.share!.b));
    assertSpans(values(s.share!.W), 1 / 4, `share W (seed ${seed})`, 0);
  }
  assertSpans(outputBiases, 1, 'output b');
  assertSpans(shareBiases, 1, 'share b');
});
