/** The domain samplers (pdes.md §1.2, §4.1, D9, D15): the laws they draw from, and their seeding (D16). */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { setup, values, assertClose } from './helpers.ts';
import { unitBall, gaussian, unitCube, semilinear, semilinearTrajectories } from '../sampling/domains.ts';
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

test('semilinear Brownian paths (pdes.md §4.1): from x = 0 at t = 0 on the grid k·T/20, N(0, 2t·I) at each time, independent increments of variance 2·dt', () => {
  tf.tidy(() => {
    const [d, T, steps, paths] = [3, 0.3, 20, 400];
    const dt = T / steps;
    const domain = semilinearTrajectories(d, T, steps);
    const xt = domain.interior(paths * steps, rngFromSeed(6));
    assert.deepEqual(xt.shape, [paths * steps, d + 1]);
    const grid = tf.reshape(xt, [paths, steps, d + 1]);
    const t = values(tf.slice(grid, [0, 0, d], [1, steps, 1]));
    t.forEach((v, k) => near(v, k * dt, 1e-6, `t_${k}`));
    assert.ok(values(tf.slice(grid, [0, 0, 0], [paths, 1, d])).every((v) => v === 0), 'each path starts at 0');
    // Per coordinate: Var X(t_k) = 2t_k, and Cov(X(t_k), X(t_{k+1})) = 2t_k (independent increments).
    const x = tf.slice(grid, [0, 0, 0], [paths, steps, d]);
    for (const k of [5, 10, 19]) {
      const at = (j: number) => tf.slice(x, [0, j, 0], [paths, 1, d]);
      near(mean(values(tf.square(at(k)))), 2 * k * dt, 0.15 * 2 * k * dt, `Var X(t_${k})`);
      if (k + 1 < steps) near(mean(values(tf.mul(at(k), at(k + 1)))), 2 * k * dt, 0.15 * 2 * k * dt, `Cov X(t_${k}), X(t_${k + 1})`);
    }
    const increments = values(tf.sub(tf.slice(x, [0, 1, 0], [paths, steps - 1, d]), tf.slice(x, [0, 0, 0], [paths, steps - 1, d])));
    near(mean(increments.map((v) => v * v)), 2 * dt, 0.05 * 2 * dt, 'increment variance');
    // n not a multiple of the steps: the first n positions of ⌈n/steps⌉ paths, the same stream's.
    assertClose(values(domain.interior(30, rngFromSeed(6))), values(tf.slice(domain.interior(40, rngFromSeed(6)), [0, 0], [30, d + 1])), 0, 'first 30 of 2 paths');
    assert.deepEqual(domain.boundary(5, rngFromSeed(7)).shape, [5, d + 1]); // terminal points as `semilinear`
  });
});

test('gaussian and unit cube samplers; the same stream gives the same points', () => {
  tf.tidy(() => {
    const g = gaussian(3, 1).boundary(N, rngFromSeed(6));
    near(mean(values(tf.square(tf.slice(g, [0, 0], [-1, 3])))), 1, 0.06, 'gaussian variance');
    assert.ok(values(tf.slice(g, [0, 3], [-1, 1])).every((v) => v === 1));
    const cb = unitCube(5).boundary(400, rngFromSeed(7)).arraySync();
    assert.ok(cb.every((row) => row.some((v) => v === 0 || v === 1) && row.every((v) => v >= 0 && v <= 1)));
    // Every one of the 2d faces is drawn, about equally often (400 rows over 10 faces: 40 each, binomial sd ≈ 6).
    const faces = new Map<string, number>();
    for (const row of cb) for (const [i, v] of row.entries()) if (v === 0 || v === 1) faces.set(`x${i} = ${v}`, (faces.get(`x${i} = ${v}`) ?? 0) + 1);
    assert.equal(faces.size, 10, [...faces.keys()].join(', '));
    for (const [face, count] of faces) assert.ok(count >= 15 && count <= 70, `${face}: ${count} of 400 boundary points`);
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
