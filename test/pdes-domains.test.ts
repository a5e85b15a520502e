/** The domain samplers (pdes.md §1.2, D9, D15): the laws they draw from, and their seeding (D16). */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { setup, values, assertClose } from './helpers.ts';
import { unitBall, gaussian, unitCube, semilinear } from '../sampling/domains.ts';
import { rngFromSeed } from '../sampling/rng.ts';

before(setup);

const N = 4000;
const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
const near = (a: number, b: number, tol: number, what: string) => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

test('unit ball: radius-uniform by default (mean radius 1/2), volume-uniform option (mean d/(d+1)), sphere boundary', () => {
  tf.tidy(() => {
    const d = 8;
    const radii = (x: tf.Tensor) => values(tf.norm(x, 'euclidean', 1));
    near(mean(radii(unitBall(d).interior(N, rngFromSeed(1)))), 0.5, 0.02, 'radius-uniform mean radius');
    near(mean(radii(unitBall(d, 'volume-uniform').interior(N, rngFromSeed(1)))), d / (d + 1), 0.01, 'volume-uniform mean radius');
    for (const r of radii(unitBall(d).boundary(50, rngFromSeed(2)))) near(r, 1, 1e-5, 'boundary radius');
    const xt = unitBall(3, 'radius-uniform', { T: 1 }).interior(N, rngFromSeed(3));
    assert.deepEqual(xt.shape, [N, 4]);
    const t = values(tf.slice(xt, [0, 3], [-1, 1]));
    assert.ok(Math.min(...t) >= 0 && Math.max(...t) <= 1);
    near(mean(t), 0.5, 0.02, 'mean t');
  });
});

test('semilinear: x ~ N(0, 2t I) with t ~ U[0, T]; terminal x ~ N(0, 2T I) at t = T (D9)', () => {
  tf.tidy(() => {
    const d = 4;
    const T = 0.3;
    const x = semilinear(d, T).interior(N, rngFromSeed(4));
    const t = tf.slice(x, [0, d], [-1, 1]);
    const z2 = values(tf.mean(tf.div(tf.square(tf.slice(x, [0, 0], [-1, d])), tf.mul(t, 2)), 1));
    near(mean(z2), 1, 0.05, 'E[x_i²/(2t)]');
    near(mean(values(t)), T / 2, 0.01, 'mean t');
    const xb = semilinear(d, T).boundary(N, rngFromSeed(5));
    assert.ok(values(tf.slice(xb, [0, d], [-1, 1])).every((v) => Math.abs(v - T) < 1e-7));
    near(mean(values(tf.square(tf.slice(xb, [0, 0], [-1, d])))), 2 * T, 0.05, 'terminal variance');
  });
});

test('gaussian and unit cube samplers; the same stream gives the same points', () => {
  tf.tidy(() => {
    const g = gaussian(3, 1).boundary(N, rngFromSeed(6));
    near(mean(values(tf.square(tf.slice(g, [0, 0], [-1, 3])))), 1, 0.06, 'gaussian variance');
    assert.ok(values(tf.slice(g, [0, 3], [-1, 1])).every((v) => v === 1));
    const cb = unitCube(5).boundary(200, rngFromSeed(7)).arraySync();
    assert.ok(cb.every((row) => row.some((v) => v === 0 || v === 1) && row.every((v) => v >= 0 && v <= 1)));
    assert.deepEqual(values(unitBall(6).interior(20, rngFromSeed(8))), values(unitBall(6).interior(20, rngFromSeed(8))));
    // A part of a draw, drawn alone, is those rows of the whole draw (test batches in device-sized pieces;
    // to rounding: on wasm a part's last few normals come from the stream's JS definition, not the kernel).
    for (const ball of [unitBall(7), unitBall(7, 'volume-uniform', { T: 1 }), gaussian(7, 1)]) {
      const whole = values(ball.interior(20, rngFromSeed(8)));
      const parts = [[0, 6], [6, 13], [19, 1]].flatMap(([start, rows]) => values(ball.interiorRows!(20, rngFromSeed(8), start, rows)));
      assertClose(parts, whole, 1e-6, ball.name);
      assert.notDeepEqual(values(ball.interiorRows!(20, rngFromSeed(8), 6, 13)), whole.slice(0, 13 * (7 + (ball.extraInputs ? 1 : 0))));
    }
    assert.notDeepEqual(values(unitBall(6).interior(20, rngFromSeed(8))), values(unitBall(6).interior(20, rngFromSeed(9))));
  });
});
