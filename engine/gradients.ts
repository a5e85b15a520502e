/**
 * Gradients that survive being differentiated again.
 *
 * tfjs's stock Tanh/Sigmoid/Exp gradients save the op's *output*; a second tf.grad through them
 * then misses the output's dependence on the input (tfjs#3252). We re-register them to save the
 * input and recompute the output inside the gradient, which makes 2nd and 3rd order nesting exact.
 *
 * The stock GatherV2 gradient needs UnsortedSegmentSum, which the WASM backend lacks; ours
 * scatters with ScatterNd (present on every backend we support). Index sets here have no
 * duplicates, but ScatterNd sums duplicates anyway, which is what the gradient needs.
 *
 * The stock BatchMatMul gradient uses transposeA/B flags, which the WASM backend runs ~10x slower;
 * there ours materialises the transpose explicitly and calls a plain matMul, except for the weight
 * gradient Aᵀ·dC of a top-level backward pass, which our SIMD kernel takes where the widths fit
 * (transposedProduct below) without any transpose. Other backends take
 * the flags at no cost, and on webgpu every transpose is one more dispatch (a step's cost there is
 * per dispatch), so they keep them. For a tall left operand
 * (the weight-sharing layer's [N·d/B, B] view of the input: 477 MB at d = 5·10⁶ per 25 points) the
 * transpose would double it on the WASM heap, so there Aᵀ·dC is summed over row blocks instead
 * (elsewhere the blocks would only add kernels and [K, N]-sized sums).
 */
import * as tf from '@tensorflow/tfjs';
import { blocks, perBlock } from './row-blocks.ts';
import { dataKernelsAvailable } from './simd/simd.ts';
import { TRANSPOSED_PRODUCT, transposedProductFits } from './simd/kernel-overrides.ts';

type Saved = tf.Tensor[];

/** Left operands at least this large are transposed a row block of `TALL_BLOCK_ELEMENTS` at a time. */
const TALL_ELEMENTS = 2 ** 24;
const TALL_BLOCK_ELEMENTS = 2 ** 22;

/**
 * Aᵀ·G for rank-2 A [M, K] and G [M, N]; on wasm summed over row blocks when A is large. On wasm,
 * outside a recorded gradient, our SIMD kernel takes the shapes it fits (a column G, the network's
 * last layer; widths in multiples of 4 and 8, the others): XNNPACK's product needs Aᵀ materialized
 * and packs G anew for each call (for [1600, 128] operands 0.4 and 0.7 ms around a 1.7 ms product).
 */
export function transposedProduct(A: tf.Tensor, G: tf.Tensor): tf.Tensor {
  // The kernel has no gradient: only where nothing records (a top-level backward pass), as for data.
  if (A.dtype === 'float32' && G.dtype === 'float32' && transposedProductFits(A.shape, G.shape) && dataKernelsAvailable()) {
    return tf.engine().runKernel(TRANSPOSED_PRODUCT, { a: A, g: G }) as tf.Tensor;
  }
  if (!transposesCost()) return tf.matMul(A, G, true, false);
  if (A.rank !== 2 || A.size < TALL_ELEMENTS) return tf.matMul(tr(A), G);
  const [m, k] = A.shape;
  let sum: tf.Tensor | null = null;
  for (const [start, n] of blocks(m, perBlock(k, TALL_BLOCK_ELEMENTS))) {
    const part = tf.matMul(tr(tf.slice(A, [start, 0], [n, k])), tf.slice(G, [start, 0], [n, -1]));
    sum = sum ? tf.add(sum, part) : part;
  }
  return sum!;
}

/** Whether a transpose flag on matMul is slow here (wasm), so that an explicit transpose pays. */
const transposesCost = () => tf.getBackend() === 'wasm';

function tr(t: tf.Tensor): tf.Tensor {
  const r = t.rank;
  const perm = [...Array(r).keys()];
  [perm[r - 2], perm[r - 1]] = [perm[r - 1], perm[r - 2]];
  return tf.transpose(t, perm);
}

/** Sum a gradient over the leading batch axes that were broadcast in the forward op. */
function unbroadcast(g: tf.Tensor, shape: number[]): tf.Tensor {
  if (g.rank === shape.length && g.shape.every((s, i) => s === shape[i])) return g;
  const lead = g.rank - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.rank - 2; i++) {
    const orig = i - lead < 0 ? 1 : shape[i - lead];
    if (orig === 1 && g.shape[i] !== 1) axes.push(i);
  }
  const summed = axes.length ? tf.sum(g, axes, true) : g;
  return tf.reshape(summed, shape);
}

const higherOrderSafe: tf.GradConfig[] = [
  {
    kernelName: 'Tanh',
    inputsToSave: ['x'],
    gradFunc: (dy, saved: Saved) => {
      const [x] = saved;
      return { x: () => tf.mul(dy as tf.Tensor, tf.sub(1, tf.square(tf.tanh(x)))) };
    },
  },
  {
    kernelName: 'Sigmoid',
    inputsToSave: ['x'],
    gradFunc: (dy, saved: Saved) => {
      const [x] = saved;
      return {
        x: () => {
          const s = tf.sigmoid(x);
          return tf.mul(dy as tf.Tensor, tf.mul(s, tf.sub(1, s)));
        },
      };
    },
  },
  {
    kernelName: 'Exp',
    inputsToSave: ['x'],
    gradFunc: (dy, saved: Saved) => {
      const [x] = saved;
      return { x: () => tf.mul(dy as tf.Tensor, tf.exp(x)) };
    },
  },
  {
    kernelName: 'GatherV2',
    inputsToSave: ['x', 'indices'],
    gradFunc: (dy, saved: Saved, attrs) => {
      const [x, indices] = saved;
      const { axis, batchDims } = attrs as unknown as { axis: number; batchDims: number };
      if (batchDims) throw new Error('GatherV2 gradient: batchDims is not supported');
      const ax = axis < 0 ? axis + x.rank : axis;
      return {
        x: () => {
          const g = dy as tf.Tensor;
          // Bring the gathered axis to the front, flatten the indices, scatter, move it back.
          const m = indices.size;
          const outer = x.shape.slice(0, ax);
          const inner = x.shape.slice(ax + 1);
          const vals = tf.reshape(g, [...outer, m, ...inner]);
          const perm = [outer.length, ...[...outer.keys()], ...inner.map((_, i) => outer.length + 1 + i)];
          const identity = outer.length === 0; // gather along axis 0: no transposes (each would copy)
          const front = identity ? vals : tf.transpose(vals, perm);
          const scattered = tf.scatterND(tf.reshape(tf.cast(indices, 'int32'), [m, 1]), front, [x.shape[ax], ...outer, ...inner]);
          return identity ? scattered : tf.transpose(scattered, perm.map((_, i) => perm.indexOf(i)));
        },
        indices: () => tf.zerosLike(indices),
      };
    },
  },
  {
    kernelName: 'BatchMatMul',
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, saved: Saved, attrs) => {
      const [a, b] = saved;
      const { transposeA, transposeB } = attrs as unknown as { transposeA: boolean; transposeB: boolean };
      const g = dy as tf.Tensor;
      // Forward: C = op(a)·op(b). Work with A = op(a), B = op(b) and map back.
      const A = transposeA ? tr(a) : a;
      const B = transposeB ? tr(b) : b;
      return {
        a: () => {
          const dA = transposesCost() ? tf.matMul(g, tr(B)) : tf.matMul(g, B, false, true); // dL/dA = dC·Bᵀ
          return unbroadcast(transposeA ? tr(dA) : dA, a.shape);
        },
        b: () => {
          const dB = transposedProduct(A, g); // dL/dB = Aᵀ·dC
          return unbroadcast(transposeB ? tr(dB) : dB, b.shape);
        },
      };
    },
  },
];

let registered = false;

export function registerHigherOrderGradients(): void {
  if (registered) return;
  for (const cfg of higherOrderSafe) tf.registerGradient(cfg);
  registered = true;
}
