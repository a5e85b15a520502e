/**
 * Domain samplers (pdes.md §1.2). A domain draws residual (interior) points and, where the PDE has
 * them, boundary or terminal points, as [n, d + extra] tensors with time (if any) in the LAST
 * column. Every draw takes its seeds from the Rng it is given (D16): one int per tfjs random op,
 * in a fixed order, so the same stream gives the same points on every backend.
 */
import * as tf from '@tensorflow/tfjs';
import { normalsFromKey, randomNormal, streamKey } from './threefry.ts';
import type { Rng } from './rng.ts';
import { oneHotFloat } from '../taylor/jet.ts';
import { perBlock, stackRowBlocks } from '../engine/row-blocks.ts';
import { sumSquaresRows } from '../engine/sum-squares.ts';

export interface Domain {
  /** What the samples are, for result labels (e.g. 'unit-ball radius-uniform, t ~ U[0, 1]'). */
  name: string;
  /** Spatial dimension d. */
  d: number;
  /** Inputs after the spatial ones (1 = time). */
  extraInputs: number;
  interior(n: number, rng: Rng): tf.Tensor2D;
  /**
   * Rows start … start + rows − 1 of interior(n, rng), drawn alone (the same numbers): a large test
   * batch in device-sized pieces. Where absent, a batch is drawn whole.
   */
  interiorRows?(n: number, rng: Rng, start: number, rows: number): tf.Tensor2D;
  /** Boundary (ball, cube) or terminal (t = T) points. */
  boundary(n: number, rng: Rng): tf.Tensor2D;
}

/**
 * Radius law of the unit-ball sampler (D15). 'radius-uniform' (default, as published) draws
 * r ~ U[0, 1]: points crowd towards the centre, it is NOT volume-uniform. 'volume-uniform' draws
 * r = U^{1/d}, the uniform distribution on the ball.
 */
export const BALL_SAMPLERS = ['radius-uniform', 'volume-uniform'] as const;
export type BallSampler = (typeof BALL_SAMPLERS)[number];

// The counter-based stream of sampling/threefry.ts, computed on the tensor's own backend (tfjs's
// generator runs in JS, ~30 ns a number: most of a step at d = 10⁶).
const normal = (shape: number[], rng: Rng) => randomNormal(shape, rng);
const uniform = (shape: number[], rng: Rng, lo = 0, hi = 1) => tf.randomUniform(shape, lo, hi, 'float32', rng.int31());

/**
 * r·z/‖z‖ row-wise for z ~ N(0, I_d) and radii r (none: 1, on the sphere), built in the row blocks of
 * engine/row-blocks.ts. The stream's key and the radii are drawn once for all n rows and each block
 * takes its rows of them, so the points do not depend on the blocks, which differ between backends
 * (wasm's heap-sized blocks, one block elsewhere): a seed gives the same points everywhere. (The keys
 * come first and the radii's seed after them, as in one unblocked draw.) The radii are JS numbers and
 * each block makes its own small tensor of them: one tensor of all n radii, kept while the 20 MB rows of
 * d = 5·10⁶ come and go, raised the WASM heap's high-water mark there from 861 to 1239 MB.
 */
function onRadius(n: number, d: number, rng: Rng, radii?: (n: number) => Float32Array, first = 0, count = n): tf.Tensor2D {
  const [k0, k1] = streamKey(rng);
  const r = radii?.(n);
  // Rows first … first + count − 1 of the n (all of them unless a caller asks for a part).
  return stackRowBlocks(count, d, perBlock(d), (rows, offset) =>
    tf.tidy(() => {
      const start = first + offset;
      const z = normalsFromKey([rows, d], k0, k1, start * d);
      const sumSq = sumSquaresRows(z as tf.Tensor2D, true);
      return tf.mul(z, tf.div(r ? tf.tensor2d(r.subarray(start, start + rows), [rows, 1]) : 1, tf.sqrt(sumSq)));
    }),
  );
}

/** n numbers U[0, 1) of tfjs's seeded generator (which runs in JS: reading them back costs no device work). */
function uniformValues(n: number, rng: Rng): Float32Array {
  const t = tf.randomUniform([n], 0, 1, 'float32', rng.int31());
  const v = (t.dataSync() as Float32Array).slice();
  t.dispose();
  return v;
}

/** Append a time column. */
function withTime(x: tf.Tensor2D, t: tf.Tensor): tf.Tensor2D {
  return tf.concat([x, tf.reshape(t, [-1, 1])], 1) as tf.Tensor2D;
}

/** Unit ball B^d (radius 1), optionally × t ~ U[0, T] (boundary: the sphere, t ~ U[0, T]). */
export function unitBall(d: number, sampler: BallSampler = 'radius-uniform', time?: { T: number }): Domain {
  const tName = time ? `, t ~ U[0, ${time.T}]` : '';
  const radii = (rng: Rng) => (count: number) => {
    const u = uniformValues(count, rng);
    return sampler === 'volume-uniform' ? u.map((v) => Math.fround(v ** (1 / d))) : u;
  };
  const interiorRows = (n: number, rng: Rng, start: number, rows: number) =>
    tf.tidy(() => {
      const x = onRadius(n, d, rng, radii(rng), start, rows);
      return time ? withTime(x, tf.slice(uniform([n], rng, 0, time.T), [start], [rows])) : x;
    });
  return {
    name: `unit-ball ${sampler}${tName}`,
    d,
    extraInputs: time ? 1 : 0,
    interior: (n, rng) => interiorRows(n, rng, 0, n),
    interiorRows,
    boundary: (n, rng) =>
      tf.tidy(() => {
        const x = onRadius(n, d, rng);
        return time ? withTime(x, uniform([n], rng, 0, time.T)) : x;
      }),
  };
}

/** x ~ N(0, I_d), t ~ U[0, T]; terminal points x ~ N(0, I_d), t = T. */
export function gaussian(d: number, T: number): Domain {
  const interiorRows = (n: number, rng: Rng, start: number, rows: number) =>
    tf.tidy(() => {
      const [k0, k1] = streamKey(rng); // as normal([n, d], rng) draws it
      const x = normalsFromKey([rows, d], k0, k1, start * d) as tf.Tensor2D;
      return withTime(x, tf.slice(uniform([n], rng, 0, T), [start], [rows]));
    });
  return {
    name: `gaussian N(0, I), t ~ U[0, ${T}]`,
    d,
    extraInputs: 1,
    interior: (n, rng) => interiorRows(n, rng, 0, n),
    interiorRows,
    boundary: (n, rng) => tf.tidy(() => withTime(normal([n, d], rng) as tf.Tensor2D, tf.fill([n], T))),
  };
}

/** Unit cube [0, 1]^d; boundary points: uniform, then one random coordinate set to 0 or 1. */
export function unitCube(d: number): Domain {
  return {
    name: 'unit-cube',
    d,
    extraInputs: 0,
    interior: (n, rng) => uniform([n, d], rng) as tf.Tensor2D,
    boundary: (n, rng) =>
      tf.tidy(() => {
        const x = uniform([n, d], rng);
        const face = Array.from({ length: n }, () => Math.floor(rng.uniform() * d));
        const side = tf.tensor2d(Array.from({ length: n }, () => (rng.uniform() < 0.5 ? 0 : 1)), [n, 1]);
        const mask = oneHotFloat(tf.tensor1d(face, 'int32'), d); // one coordinate per row
        return tf.add(tf.mul(x, tf.sub(1, mask)), tf.mul(mask, side)) as tf.Tensor2D;
      }),
  };
}

/**
 * Semilinear parabolic sampler in backward time (pdes.md §4.1, D9): t ~ U[0, T], x ~ N(0, 2t·I_d),
 * the law of √2·W_t; terminal points x ~ N(0, 2T·I_d) at t = T.
 */
export function semilinear(d: number, T: number): Domain {
  return {
    name: `semilinear x ~ N(0, 2t I), t ~ U[0, ${T}]`,
    d,
    extraInputs: 1,
    interior: (n, rng) =>
      tf.tidy(() => {
        const z = normal([n, d], rng);
        const t = uniform([n, 1], rng, 0, T);
        return withTime(tf.mul(z, tf.sqrt(tf.mul(t, 2))) as tf.Tensor2D, t);
      }),
    boundary: (n, rng) =>
      tf.tidy(() => withTime(tf.mul(normal([n, d], rng), Math.sqrt(2 * T)) as tf.Tensor2D, tf.fill([n], T))),
  };
}

/**
 * The semilinear PDEs' optional sampler (pdes.md §4.1, not used in the paper): residual points along
 * discretized paths of √2·W from x = 0, `steps` increments of dt = T/steps, each path's positions at
 * t_k = k·dt for k = 0 … steps − 1 (the terminal time belongs to the terminal points). n points are the
 * first n positions of ⌈n/steps⌉ paths, so a multiple of `steps` gives whole paths. At each t_k the
 * points have the marginal law of `semilinear` (N(0, 2t_k·I)); along a path they are dependent.
 */
export function semilinearTrajectories(d: number, T: number, steps: number): Domain {
  const dt = T / steps;
  return {
    ...semilinear(d, T),
    name: `semilinear Brownian paths √2·W from 0, ${steps} steps of ${dt}`,
    interior: (n, rng) =>
      tf.tidy(() => {
        const paths = Math.ceil(n / steps);
        const increments = tf.mul(normal([paths, steps, d], rng), Math.sqrt(2 * dt));
        const x = tf.reshape(tf.cumsum(increments, 1, true), [paths * steps, d]); // exclusive: X(t_0) = 0
        const t = tf.tile(tf.mul(tf.range(0, steps, 1, 'float32'), dt), [paths]);
        return withTime(tf.slice(x, [0, 0], [n, d]) as tf.Tensor2D, tf.slice(t, [0], [n]));
      }),
  };
}
