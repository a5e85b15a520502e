/**
 * The GPU normal generator (engine/webgpu-random.ts): its Threefry-2x32-20 agrees with a reference
 * implementation checked against Random123's known-answer vectors, the device output equals
 * Box–Muller on that reference, and the numbers look standard normal. Runs under STDE_TEST_BACKEND=webgpu.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { setup } from './helpers.ts';
import { webgpuRandomNormal } from '../engine/webgpu-random.ts';
import { unitBall } from '../sampling/domains.ts';
import { rngFromSeed } from '../sampling/rng.ts';

before(setup);

const ROTATIONS = [13, 15, 26, 6, 17, 29, 16, 24];
/** Threefry-2x32 with 20 rounds on counter (c0, c1) and key (k0, k1), in plain JS. */
function threefry(c0: number, c1: number, k0: number, k1: number): [number, number] {
  const ks = [k0 >>> 0, k1 >>> 0, (0x1bd11bda ^ k0 ^ k1) >>> 0];
  let x0 = (c0 + ks[0]) >>> 0;
  let x1 = (c1 + ks[1]) >>> 0;
  for (let r = 0; r < 20; r++) {
    const s = ROTATIONS[r % 8];
    x0 = (x0 + x1) >>> 0;
    x1 = ((((x1 << s) | (x1 >>> (32 - s))) >>> 0) ^ x0) >>> 0;
    if (r % 4 === 3) {
      const i = (r + 1) / 4;
      x0 = (x0 + ks[i % 3]) >>> 0;
      x1 = (x1 + ks[(i + 1) % 3] + i) >>> 0;
    }
  }
  return [x0, x1];
}

test('Threefry-2x32-20 reference: Random123 known-answer vectors', () => {
  const hex = (v: number[]) => v.map((x) => x.toString(16).padStart(8, '0')).join(' ');
  assert.equal(hex(threefry(0, 0, 0, 0)), '6b200159 99ba4efe');
  assert.equal(hex(threefry(0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff)), '1cb996fc bb002be7');
  assert.equal(hex(threefry(0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344)), 'c4923a9c 483df7a0');
});

const onWebgpu = (t: { skip(msg: string): void }) => (tf.getBackend() === 'webgpu' ? true : (t.skip('the GPU generator is webgpu-only'), false));

test('webgpu normals = Box–Muller on the reference Threefry stream (odd size, two keys)', async (t) => {
  if (!onWebgpu(t)) return;
  for (const [k0, k1] of [[0, 0], [123456789, 987654321]]) {
    const n = 1001;
    const got = await webgpuRandomNormal([7, 143], k0, k1).data();
    for (let i = 0; i < n; i++) {
      const [x0, x1] = threefry(i >> 1, 0, k0, k1);
      const u1 = ((x0 >>> 8) + 1) * 2 ** -24;
      const u2 = (x1 >>> 8) * 2 ** -24;
      const r = Math.sqrt(-2 * Math.log(u1));
      const want = i % 2 === 0 ? r * Math.cos(2 * Math.PI * u2) : r * Math.sin(2 * Math.PI * u2);
      assert.ok(Math.abs(got[i] - want) <= 2e-4 * Math.max(1, Math.abs(want)), `[${i}] ${got[i]} vs ${want}`);
    }
  }
});

test('webgpu normals: moments of N(0, 1), and the ball sampler draws on the device', async (t) => {
  if (!onWebgpu(t)) return;
  const n = 200_000;
  const z = await webgpuRandomNormal([n], 7, 11).data();
  let m1 = 0, m2 = 0, m4 = 0;
  for (const v of z) { m1 += v; m2 += v * v; m4 += v ** 4; }
  [m1, m2, m4] = [m1 / n, m2 / n, m4 / n];
  // Standard errors: 1/√n for the mean, √2/√n for the variance, √96/√n for the 4th moment.
  assert.ok(Math.abs(m1) < 5 / Math.sqrt(n), `mean ${m1}`);
  assert.ok(Math.abs(m2 - 1) < 5 * Math.sqrt(2 / n), `variance ${m2}`);
  assert.ok(Math.abs(m4 - 3) < 5 * Math.sqrt(96 / n), `4th moment ${m4}`);
  const a = await webgpuRandomNormal([1000], 7, 11).data();
  const b = await webgpuRandomNormal([1000], 7, 12).data();
  assert.deepEqual(Array.from(a), Array.from(z.subarray(0, 1000)), 'same key, same numbers');
  assert.notDeepEqual(Array.from(a), Array.from(b), 'another key, other numbers');
  // Points in the unit ball from the GPU stream: norms ≤ 1, same seed → same points.
  const ball = unitBall(50, 'radius-uniform');
  const x = await ball.interior(20, rngFromSeed(3)).data();
  const y = await ball.interior(20, rngFromSeed(3)).data();
  assert.deepEqual(Array.from(x), Array.from(y));
  for (let i = 0; i < 20; i++) {
    let s = 0;
    for (let j = 0; j < 50; j++) s += x[i * 50 + j] ** 2;
    assert.ok(s <= 1 + 1e-5, `‖x_${i}‖² = ${s}`);
  }
});
