/** Shared test set-up: the backend under test comes from STDE_TEST_BACKEND (default wasm). */
import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { initEngine } from '../engine/backend.ts';
import { initMLP, type MLPConfig, type MLP } from '../model/mlp.ts';
import { rngFromSeed } from '../sampling/rng.ts';

export const TEST_BACKEND = process.env.STDE_TEST_BACKEND ?? 'wasm';

export async function setup(): Promise<void> {
  const info = await initEngine(TEST_BACKEND);
  assert.equal(tf.getBackend(), info.tfjsBackend);
}

export function randomModel(cfg: Partial<MLPConfig> & { dim: number }, seed = 1): MLP {
  return initMLP({ extraInputs: 0, width: 16, depth: 3, block: 1, ...cfg }, rngFromSeed(seed));
}

export function randomPoints(n: number, w: number, seed = 7, scale = 0.5): tf.Tensor2D {
  return tf.mul(tf.randomNormal([n, w], 0, 1, 'float32', seed), scale) as tf.Tensor2D;
}

export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rel: number, what = ''): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  const scale = Math.max(1e-6, ...Array.from(expected, Math.abs));
  for (let i = 0; i < actual.length; i++) {
    const err = Math.abs(actual[i] - expected[i]);
    assert.ok(err <= rel * Math.max(Math.abs(expected[i]), scale * 1e-2), `${what}[${i}]: ${actual[i]} vs ${expected[i]} (rel tol ${rel})`);
  }
}

export const values = (t: tf.Tensor) => Array.from(t.dataSync());

/** The mean of some draws and its standard error, √(Σ(x − mean)² / (n − 1) / n). */
export function meanAndError(xs: ArrayLike<number>): { mean: number; se: number } {
  const n = xs.length;
  const mean = Array.from(xs).reduce((a, b) => a + b, 0) / n;
  const se = Math.sqrt(Array.from(xs).reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1) / n);
  return { mean, se };
}
