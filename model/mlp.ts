/**
 * The MLP of pdes.md §7, written once over the jet algebra so that the same code evaluates plain
 * tensors (constant jets), Taylor jets and collapsed jets.
 *
 * Layout: optional weight-sharing first layer (a shared map ℝ^B → ℝ applied to each of the d/B
 * blocks of the spatial input, followed by tanh as in the published code, or without it: the
 * paper's 1-D convolution, O3), then `depth` affine layers with tanh between them and a scalar
 * output. Extra (time) inputs come after the d spatial coordinates and bypass the sharing.
 * Initialisation (D20): weights U(±1/√fan_in), biases U(±1/√fan_out).
 */
import * as tf from '@tensorflow/tfjs';
import * as J from '../taylor/ops.ts';
import type { Jet, Operand } from '../taylor/ops.ts';
import { constant, oneHotFloat } from '../taylor/jet.ts';
import type { Rng } from '../sampling/rng.ts';
import { UsageError } from '../engine/errors.ts';

export interface MLPConfig {
  /** Spatial input dimension d. */
  dim: number;
  /** Inputs after the spatial ones (1 for time-dependent PDEs). */
  extraInputs: number;
  width: number;
  /** Number of affine layers (hidden layers + output), ≥ 1. */
  depth: number;
  /** Weight-sharing block size B (1 = none). */
  block: number;
  /** The shared map's activation (block > 1 only); absent = the published default, 'affine-tanh'. */
  sharing?: Sharing;
}

/**
 * The weight-sharing map (O3): the published code's shared affine map followed by tanh, or the
 * paper's 1-D convolution (kernel and stride B, one channel) with no activation. Both have B + 1
 * parameters.
 */
export const SHARINGS = ['affine-tanh', 'conv'] as const;
export type Sharing = (typeof SHARINGS)[number];
export const DEFAULT_SHARING: Sharing = 'affine-tanh';

export interface Dense {
  W: tf.Variable; // [in, out]
  b: tf.Variable; // [out]
}

export interface MLP {
  config: MLPConfig;
  /** Weight-sharing map (B weights as [B, 1], one bias) when block > 1. */
  share?: Dense;
  layers: Dense[];
}

/**
 * The deepest network a run takes. Each layer costs JS memory for its tape records and tensor
 * bookkeeping, however narrow: at width 1, 10⁴ layers of stde-sparse took 17 s a step and a 3.1 GB
 * RSS (2026-11-29), near Node's ~4 GiB heap limit, and deeper ones die in V8 with a heap dump.
 */
export const MAX_DEPTH = 10_000;

export function validateConfig(c: MLPConfig): void {
  if (!Number.isInteger(c.dim) || c.dim <= 0) throw new UsageError(`dimension must be a positive integer, got ${c.dim}`);
  if (!Number.isInteger(c.width) || c.width <= 0) throw new UsageError(`width must be a positive integer, got ${c.width}`);
  if (!Number.isInteger(c.depth) || c.depth < 1) throw new UsageError(`depth must be an integer ≥ 1, got ${c.depth}`);
  if (c.depth > MAX_DEPTH) throw new UsageError(`depth must be ≤ ${MAX_DEPTH}, got ${c.depth}: each layer keeps its own tape records and kernels in every pass, whatever its width (JS memory Node cannot grow past its heap limit)`);
  if (!Number.isInteger(c.block) || c.block < 1) throw new UsageError(`block size must be a positive integer, got ${c.block}`);
  if (c.dim % c.block !== 0) throw new UsageError(`block size ${c.block} does not divide the dimension ${c.dim}`);
  const sharing = c.sharing ?? DEFAULT_SHARING;
  if (!SHARINGS.includes(sharing)) throw new UsageError(`unknown weight-sharing map '${sharing}' (expected one of: ${SHARINGS.join(', ')})`);
  if (sharing !== DEFAULT_SHARING && c.block === 1) throw new UsageError(`the weight-sharing map '${sharing}' needs weight sharing (a block size B > 1)`);
}

/** The shared map's activation is the identity (the paper's convolution). */
const linearSharing = (c: MLPConfig) => c.sharing === 'conv';

/** Width of the input to the first dense layer. */
export function featureDim(c: MLPConfig): number {
  return c.dim / c.block + c.extraInputs;
}

/** Layer widths, input to output: [featureDim, width × (depth − 1), 1]. */
const layerDims = (c: MLPConfig): number[] => [featureDim(c), ...Array<number>(c.depth - 1).fill(c.width), 1];

/** Weights and biases of every layer, and the shared map's B + 1 (validateConfig bounds the depth first: MAX_DEPTH). */
export function parameterCount(c: MLPConfig): number {
  const dims = layerDims(c);
  let p = c.block > 1 ? c.block + 1 : 0;
  for (let l = 0; l + 1 < dims.length; l++) p += dims[l] * dims[l + 1] + dims[l + 1];
  return p;
}

function dense(fanIn: number, fanOut: number, rng: Rng, name: string): Dense {
  const wb = 1 / Math.sqrt(fanIn);
  const bb = 1 / Math.sqrt(fanOut);
  // tidy: the variables keep the data, the temporary random tensors are released.
  const [wSeed, bSeed] = [rng.int31(), rng.int31()];
  return {
    W: tf.tidy(() => tf.variable(tf.randomUniform([fanIn, fanOut], -wb, wb, 'float32', wSeed), true, `${name}/W`)),
    b: tf.tidy(() => tf.variable(tf.randomUniform([fanOut], -bb, bb, 'float32', bSeed), true, `${name}/b`)),
  };
}

let modelCounter = 0;

export function initMLP(config: MLPConfig, rng: Rng): MLP {
  validateConfig(config);
  const tag = `mlp${modelCounter++}`;
  const share = config.block > 1 ? dense(config.block, 1, rng, `${tag}/share`) : undefined;
  const dims = layerDims(config);
  const layers = dims.slice(0, -1).map((fanIn, l) => dense(fanIn, dims[l + 1], rng, `${tag}/l${l}`));
  return { config, share, layers };
}

export function fromArrays(
  config: MLPConfig,
  layers: { weight: number[][]; bias: number[] }[],
  share?: { weight: number[][]; bias: number[] },
): MLP {
  validateConfig(config);
  const tag = `mlp${modelCounter++}`;
  const mk = (l: { weight: number[][]; bias: number[] }, name: string): Dense => ({
    W: tf.variable(tf.tensor2d(l.weight), true, `${tag}/${name}/W`),
    b: tf.variable(tf.tensor1d(l.bias), true, `${tag}/${name}/b`),
  });
  return { config, share: share && mk(share, 'share'), layers: layers.map((l, i) => mk(l, `l${i}`)) };
}

export function trainableVariables(m: MLP): tf.Variable[] {
  const v = m.layers.flatMap((l) => [l.W, l.b]);
  return m.share ? [m.share.W, m.share.b, ...v] : v;
}

export function disposeMLP(m: MLP): void {
  for (const v of trainableVariables(m)) v.dispose();
}

/** Pre-activation of the shared first layer: [N, d/B] (weight sharing only). */
function sharedPreActivation(m: MLP, x: Operand): Jet {
  const { dim, block, extraInputs } = m.config;
  const spatial = extraInputs ? J.sliceLast(x, 0, dim) : x;
  return J.blockAffine(spatial, m.share!.W, m.share!.b, block);
}

/** The shared layer's output a [N, d/B] (tanh(z), or z itself), and the features of the dense layers (a, then t). */
function sharedFeatures(m: MLP, x: Operand): { a: Jet; h: Operand } {
  const z = sharedPreActivation(m, x);
  const a = linearSharing(m.config) ? z : J.tanh(z);
  const h = m.config.extraInputs ? J.concatLast(a, J.sliceLast(x, m.config.dim, m.config.extraInputs)) : a;
  return { a, h };
}

function features(m: MLP, x: Operand): Operand {
  return m.share ? sharedFeatures(m, x).h : x;
}

/** u = N(x) as a jet with primal [N] (the scalar output's axis dropped). */
export function applyMLP(m: MLP, x: Operand): Jet {
  let h = features(m, x);
  m.layers.forEach((l, i) => {
    const z = J.affine(h, l.W, l.b);
    h = i + 1 < m.layers.length ? J.tanh(z) : z;
  });
  return J.sum(h, -1);
}

/** Plain forward pass on a tensor [N, d+extra] → [N]. */
export function forwardMLP(m: MLP, x: tf.Tensor): tf.Tensor1D {
  return applyMLP(m, constant(x)).primal as tf.Tensor1D;
}

/**
 * Explicit reverse pass for the input gradient, written in the jet algebra so that pushing a jet
 * through it gives forward-over-backward (a JVP of the gradient map) without a native jvp.
 * Returns δ, the derivative of u w.r.t. the pre-activation of the first layer: [N, h] (no sharing,
 * with ∂u/∂x = δ·W₁ᵀ) or [N, d/B] for the shared layer (∂u/∂x_i = δ_{block(i)}·w_{i mod B}).
 */
export function firstLayerDelta(m: MLP, x: Operand): Jet {
  const xj = x instanceof tf.Tensor ? constant(x) : x;
  const acts: Jet[] = []; // acts[i] = tanh output of layer i = input of layer i+1
  const shared = m.share ? sharedFeatures(m, xj) : undefined;
  let h: Operand = shared ? shared.h : xj;
  for (let i = 0; i + 1 < m.layers.length; i++) {
    h = J.tanh(J.affine(h, m.layers[i].W, m.layers[i].b));
    acts.push(h);
  }
  const n = xj.primal.shape[0];
  let delta: Jet = constant(tf.ones([n, 1])); // ∂u/∂(pre-activation of the output layer)
  for (let i = m.layers.length - 1; ; i--) {
    if (i === 0 && !m.share) return delta;
    const g = J.affine(delta, tf.transpose(m.layers[i].W)); // ∂u/∂(input of layer i)
    if (i === 0) {
      const blocks = m.config.dim / m.config.block;
      const gShared = m.config.extraInputs ? J.sliceLast(g, 0, blocks) : g;
      return linearSharing(m.config) ? gShared : J.mul(gShared, J.scaleShift(J.square(shared!.a), -1, 1));
    }
    delta = J.mul(g, J.scaleShift(J.square(acts[i - 1]), -1, 1));
  }
}

/** Per direction r, Σ_k t[r, n, k]·rows[r, k] (t may lack the direction axis). */
export function contract(t: tf.Tensor, rows: tf.Tensor2D): tf.Tensor2D {
  const R = rows.shape[0];
  return tf.sum(tf.mul(t, tf.reshape(rows, [R, 1, rows.shape[1]])), -1) as tf.Tensor2D;
}

/** Row i of ∂(first-layer pre-activation)/∂x: W₁[i, :], or w_{i mod B} at block ⌊i/B⌋ when shared. */
export function firstLayerRows(model: MLP, idx: tf.Tensor1D): tf.Tensor2D {
  if (!model.share) return tf.gather(model.layers[0].W, idx) as tf.Tensor2D;
  const B = model.config.block;
  const blocks = tf.cast(tf.floorDiv(idx, B), 'int32') as tf.Tensor1D;
  const w = tf.gather(tf.reshape(model.share.W, [-1]), tf.cast(tf.mod(idx, B), 'int32'));
  return tf.mul(oneHotFloat(blocks, model.config.dim / B), tf.reshape(w, [-1, 1])) as tf.Tensor2D;
}
