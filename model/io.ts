/**
 * Model and points files of the `operator` command.
 * Model: {"activation":"tanh","layers":[{"weight":[[...]],"bias":[...]}, …]}, weight [fan_in][fan_out]
 * (y = x·W + b), last layer width 1. Points: [[x_1…x_d], …]. Coefficients: [[C_11…C_1d], …].
 */
import { readFileSync } from 'node:fs';
import { refuseUnknownKeys, UsageError } from '../engine/errors.ts';
import { fromArrays, type MLP } from './mlp.ts';
import * as tf from '@tensorflow/tfjs';

export interface ModelFile {
  activation: string;
  layers: { weight: number[][]; bias: number[] }[];
}

function readJson(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${what} file '${path}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UsageError(`malformed JSON in ${what} file '${path}': ${(e as Error).message}`);
  }
}

const isNumArray = (a: unknown): a is number[] => Array.isArray(a) && a.every((v) => typeof v === 'number' && Number.isFinite(v));

export function parseModel(raw: unknown, source = 'model'): ModelFile {
  const m = raw as ModelFile;
  if (!m || typeof m !== 'object' || !Array.isArray(m.layers) || m.layers.length === 0) {
    throw new UsageError(`${source}: expected {"activation":"tanh","layers":[{"weight":[[...]],"bias":[...]},...]}`);
  }
  refuseUnknownKeys(m, ['activation', 'layers'], source); // 'activaton': 'relu' would run tanh without a word
  if ((m.activation ?? 'tanh') !== 'tanh') throw new UsageError(`${source}: unsupported activation '${m.activation}' (only tanh)`);
  let fanIn = -1;
  m.layers.forEach((l, i) => {
    if (!l || !Array.isArray(l.weight) || l.weight.length === 0 || !l.weight.every(isNumArray)) {
      throw new UsageError(`${source}: layer ${i} weight must be a non-empty [fan_in][fan_out] array of numbers`);
    }
    refuseUnknownKeys(l, ['weight', 'bias'], `${source}: layer ${i}`);
    const out = l.weight[0].length;
    if (out === 0 || !l.weight.every((r) => r.length === out)) throw new UsageError(`${source}: layer ${i} weight rows have different lengths`);
    if (fanIn >= 0 && l.weight.length !== fanIn) {
      throw new UsageError(`${source}: layer ${i} has fan_in ${l.weight.length} but the previous layer outputs ${fanIn}`);
    }
    if (!isNumArray(l.bias) || l.bias.length !== out) throw new UsageError(`${source}: layer ${i} bias must have ${out} numbers`);
    fanIn = out;
  });
  if (fanIn !== 1) throw new UsageError(`${source}: the last layer must have width 1, got ${fanIn}`);
  return { activation: 'tanh', layers: m.layers };
}

export function loadModel(path: string): MLP {
  const file = parseModel(readJson(path, 'model'), path);
  const dim = file.layers[0].weight.length;
  const width = file.layers.length > 1 ? file.layers[0].weight[0].length : 1;
  return fromArrays({ dim, extraInputs: 0, width, depth: file.layers.length, block: 1 }, file.layers);
}

export function loadPoints(path: string, dim: number): tf.Tensor2D {
  const p = readJson(path, 'points');
  if (!Array.isArray(p) || p.length === 0 || !p.every(isNumArray)) {
    throw new UsageError(`points file '${path}': expected a non-empty [[x_1..x_d], ...] array of numbers`);
  }
  p.forEach((row, i) => {
    if (row.length !== dim) throw new UsageError(`points file '${path}': point ${i} has ${row.length} coordinates but the model expects ${dim}`);
  });
  return tf.tensor2d(p as number[][]);
}

/** The coefficient matrix C of `--operator second-order`: d × d finite numbers (d = the model's, where known). */
export function loadCoefficients(path: string, dim?: number): number[][] {
  const C = readJson(path, 'coefficients');
  const n = Array.isArray(C) ? C.length : 0;
  const square = n > 0 && (C as unknown[]).every((r) => isNumArray(r) && r.length === n);
  if (!square) throw new UsageError(`coefficients file '${path}': expected a square [[C_11..C_1d], ...] array of finite numbers`);
  if (dim !== undefined && n !== dim) throw new UsageError(`coefficients file '${path}': a ${n} × ${n} matrix but the model's dimension is ${dim}`);
  return C as number[][];
}

/** Parameter gradients back in the model file's layout. */
export function gradsToFile(m: MLP, grads: Map<tf.Variable, tf.Tensor>): Pick<ModelFile, 'layers'> {
  return {
    layers: m.layers.map((l) => ({
      weight: grads.get(l.W)!.arraySync() as number[][],
      bias: grads.get(l.b)!.arraySync() as number[],
    })),
  };
}
