/**
 * The samplers' normal stream (sampling/threefry.ts): Threefry-2x32-20 against Random123's known
 * answers; the backend's kernel (SIMD on wasm, WGSL on webgpu) against the JS definition for sizes
 * with and without a tail; N(0, 1) moments; keys; ball points. Runs on wasm and on webgpu.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { setup } from './helpers.ts';
import { fillNormals, normalsFromKey, threefry2x32 } from '../sampling/threefry.ts';
import { unitBall } from '../sampling/domains.ts';
import { rngFromSeed } from '../sampling/rng.ts';

before(setup);

test('Threefry-2x32-20: Random123 known-answer vectors', () => {
  const hex = (v: number[]) => v.map((x) => x.toString(16).padStart(8, '0')).join(' ');
  assert.equal(hex(threefry2x32(0, 0, 0, 0)), '6b200159 99ba4efe');
  assert.equal(hex(threefry2x32(0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff)), '1cb996fc bb002be7');
  assert.equal(hex(threefry2x32(0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344)), 'c4923a9c 483df7a0');
});

// The wasm kernel writes sixteen numbers (eight counters, two vectors) at a time, JS the tail.
test("the backend's normal kernel equals the stream's JS definition (sizes with and without a tail, two keys)", async () => {
  // The wasm kernel's own log and cos polynomials are within 1e-6; WGSL's builtins guarantee less.
  const tol = tf.getBackend() === 'webgpu' ? 1e-4 : 2e-6;
  for (const [k0, k1] of [[0, 0], [123456789, 987654321]]) {
    for (const shape of [[1], [7], [8], [9], [15], [16], [17], [33], [7, 143], [64, 64], [3, 1367]]) {
      const n = tf.util.sizeFromShape(shape);
      const t = normalsFromKey(shape, k0, k1);
      assert.deepEqual(t.shape, shape);
      const got = await t.data();
      t.dispose();
      const want = new Float32Array(n);
      fillNormals(want, 0, k0, k1);
      for (let i = 0; i < n; i++) {
        assert.ok(Math.abs(got[i] - want[i]) <= tol * Math.max(1, Math.abs(want[i])), `${tf.getBackend()} [${shape}] key ${k0},${k1} [${i}]: ${got[i]} vs ${want[i]}`);
      }
    }
  }
});

test('a draw from an offset is that part of the whole stream (even and odd offsets, with tails)', async () => {
  const tol = tf.getBackend() === 'webgpu' ? 1e-4 : 2e-6;
  for (const [from, n] of [[0, 40], [1, 40], [2, 17], [33, 1], [33, 16], [1001, 100], [1_000_001, 35]]) {
    const got = await normalsFromKey([n], 5, 9, from).data();
    const want = new Float32Array(n);
    fillNormals(want, from, 5, 9);
    for (let i = 0; i < n; i++) assert.ok(Math.abs(got[i] - want[i]) <= tol * Math.max(1, Math.abs(want[i])), `from ${from} [${i}]: ${got[i]} vs ${want[i]}`);
  }
  // Rows drawn one block at a time (as the samplers do) are the rows of one whole draw.
  const whole = await normalsFromKey([7, 13], 5, 9).data();
  const parts = await Promise.all([[0, 3], [3, 3], [6, 1]].map(([start, rows]) => normalsFromKey([rows, 13], 5, 9, start * 13).data()));
  const joined = parts.flatMap((p) => Array.from(p));
  for (let i = 0; i < whole.length; i++) assert.ok(Math.abs(joined[i] - whole[i]) <= tol * Math.max(1, Math.abs(whole[i])), `row-blocked [${i}]`);
});

test('the normal stream: moments of N(0, 1), keys, and ball points from it', async () => {
  const n = 200_000;
  const z = await normalsFromKey([n], 7, 11).data();
  let m1 = 0, m2 = 0, m4 = 0;
  for (const v of z) {
    m1 += v;
    m2 += v * v;
    m4 += v ** 4;
  }
  [m1, m2, m4] = [m1 / n, m2 / n, m4 / n];
  // Five standard errors: 1/√n for the mean, √2/√n for the variance, √96/√n for the 4th moment.
  assert.ok(Math.abs(m1) < 5 / Math.sqrt(n), `mean ${m1}`);
  assert.ok(Math.abs(m2 - 1) < 5 * Math.sqrt(2 / n), `variance ${m2}`);
  assert.ok(Math.abs(m4 - 3) < 5 * Math.sqrt(96 / n), `4th moment ${m4}`);
  // 1024: whole blocks of the wasm kernel (its JS tail agrees with it to rounding only, tested above)
  const a = await normalsFromKey([1024], 7, 11).data();
  const b = await normalsFromKey([1024], 7, 12).data();
  assert.deepEqual(Array.from(a), Array.from(z.subarray(0, 1024)), 'same key, same numbers');
  assert.notDeepEqual(Array.from(a), Array.from(b), 'another key, other numbers');
  const ball = unitBall(50, 'radius-uniform');
  const x = await ball.interior(20, rngFromSeed(3)).data();
  const y = await ball.interior(20, rngFromSeed(3)).data();
  assert.deepEqual(Array.from(x), Array.from(y), 'same seed, same points');
  for (let i = 0; i < 20; i++) {
    let s = 0;
    for (let j = 0; j < 50; j++) s += x[i * 50 + j] ** 2;
    assert.ok(s <= 1 + 1e-5, `‖x_${i}‖² = ${s}`);
  }
});
