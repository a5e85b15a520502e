/**
 * The two weight-sharing maps (O3): the published affine map + tanh, and the paper's convolution
 * (kernel and stride B, no activation), which composes with the first dense layer into one affine map.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { setup, randomModel, randomPoints, assertClose, values } from './helpers.ts';
import { forwardMLP, fromArrays, parameterCount, validateConfig, type MLP } from '../model/mlp.ts';
import { UsageError } from '../engine/errors.ts';

before(setup);

const arrays = (t: tf.Tensor) => t.arraySync() as number[][];
const layerArrays = (m: MLP) => m.layers.map((l) => ({ weight: arrays(l.W), bias: Array.from(l.b.dataSync()) }));

/** The network without sharing whose first layer is the convolution followed by the first dense layer. */
function composed(m: MLP): MLP {
  const { dim, block, width, depth } = m.config;
  const w = Array.from(m.share!.W.dataSync()); // [B]
  const c = m.share!.b.dataSync()[0];
  const [first, ...rest] = layerArrays(m); // first.weight [d/B, width]
  // x_i feeds block ⌊i/B⌋ with weight w[i mod B]; the convolution's bias enters every block.
  const weight = Array.from({ length: dim }, (_, i) => first.weight[Math.floor(i / block)].map((v) => w[i % block] * v));
  const bias = first.bias.map((b, j) => b + c * first.weight.reduce((s, row) => s + row[j], 0));
  return fromArrays({ dim, extraInputs: 0, width, depth, block: 1 }, [{ weight, bias }, ...rest]);
}

test('convolution sharing is the linear map of the blocks: the network equals the plain one with the composed first layer', () => {
  const m = randomModel({ dim: 6, width: 8, depth: 3, block: 3, sharing: 'conv' }, 4);
  const x = randomPoints(5, 6, 2, 1);
  assertClose(values(forwardMLP(m, x)), values(forwardMLP(composed(m), x)), 1e-5, 'conv = composed');
  // The published map's tanh makes it another function of the same parameters.
  const tanh = fromArrays({ ...m.config, sharing: 'affine-tanh' }, layerArrays(m), { weight: arrays(m.share!.W), bias: Array.from(m.share!.b.dataSync()) });
  const gap = Math.max(...values(tf.abs(tf.sub(forwardMLP(tanh, x), forwardMLP(m, x)))));
  assert.ok(gap > 1e-3, `affine-tanh and conv should differ, max gap ${gap}`);
});

test('both maps have B + 1 parameters; conv without weight sharing or an unknown map is a usage error', () => {
  const base = { dim: 100, extraInputs: 0, width: 128, depth: 4, block: 10 };
  assert.equal(parameterCount({ ...base, sharing: 'conv' }), parameterCount({ ...base, sharing: 'affine-tanh' }));
  assert.equal(parameterCount({ ...base, sharing: 'conv' }) - parameterCount({ ...base, block: 1 }), 11 - (100 - 10) * 128);
  assert.throws(() => validateConfig({ ...base, block: 1, sharing: 'conv' }), (e) => e instanceof UsageError && /needs weight sharing/.test(e.message));
  assert.throws(() => validateConfig({ ...base, sharing: 'dense' as never }), (e) => e instanceof UsageError && /unknown weight-sharing map 'dense'/.test(e.message));
});
