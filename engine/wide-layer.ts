/**
 * The first layer x·W for a weight too large to pass through tfjs whole (d = 10⁶, h = 128: 512 MB).
 *
 * The plain path costs 2.5 GB on a 2 GiB heap: XNNPACK packs a matMul's right operand into a copy
 * of W; the stock gradient transposes x and materializes dW; the gather gradient of the basis jets
 * scatters a second dense [d, h] that is then added to the first. Here the forward pass is one
 * product read in place by our SIMD kernel (engine/simd/kernel-overrides.ts: W a cache-sized block of rows at a
 * time), and the backward pass writes dW = xᵀ·dz + scatter(gathered-row gradients) into ONE buffer
 * through the WASM heap, xᵀ·dz by the SIMD kernel straight into it. Where those kernels do not take
 * the widths (rows not a multiple of 4, h not of 8, d not of 4) both go over row blocks of W and
 * column blocks of x, sliced: XNNPACK then packs a copy of each W block, never W under its own id.
 * So W is never packed, and the optimizer may update it in place (benchmarks/training/adam.ts).
 *
 * WASM only (the heap views); other backends keep the plain path. dW is a first-order gradient
 * (training); dx is built from ordinary ops, so the input gradient stays differentiable.
 */
import * as tf from '@tensorflow/tfjs';
import { allocateHeap, heapFloat32, ownsBuffer } from './wasm-heap.ts';
import { customOp } from './custom-op.ts';
import { blocks, perBlock } from './row-blocks.ts';
import { gradientDepth } from './untaped.ts';
import { transposedProduct } from './gradients.ts';
import { productTakes, transposedProductFits, transposedProductInto } from './simd/kernel-overrides.ts';
import { directKernel } from './simd/simd.ts';

/** Weights with at least `elements` entries take this path; `blockElements` bounds one row block. */
export const WIDE = { elements: 2 ** 25, blockElements: 2 ** 23 };

/** Whether a weight of this many entries takes the wide path on this backend (plans use it too). */
export function wideOn(backend: string, elements: number): boolean {
  return backend === 'wasm' && elements >= WIDE.elements;
}

export function isWide(W: tf.Tensor): boolean {
  return W.rank === 2 && wideOn(tf.getBackend(), W.size);
}

/**
 * Whether an affine layer goes through wideMatMulGather: wide weights, and on wasm
 * - any layer whose input jet has basis tangents (the first layer under sparse STDE): its backward
 *   pass adds the gathered rows' gradients into xᵀ·dz in place, where tfjs would scatter a dense
 *   [d, h] and add it (2 ms of a 137 ms step at d = 10⁴);
 * - any weight of more than one row block under at most one gradient (a training step's, not the
 *   nested baselines'): the blocked product beats XNNPACK on the whole weight (the plain data-fit
 *   step at d = 10⁵: 923 → 850 ms), and the plain step is the floor every estimator is compared with.
 */
export function takesWidePath(W: tf.Tensor, gathers: boolean): boolean {
  if (W.rank !== 2) return false;
  if (isWide(W)) return true;
  return tf.getBackend() === 'wasm' && (gathers || (W.size > WIDE.blockElements && gradientDepth() <= 1));
}

/**
 * Gradient buffers reserved for wide weights, by the weight's data id. A trainer reserves one right
 * after creating the model, while the heap is still in one piece: allocated per step, a 512 MB
 * gradient has to find room among the holes the step's [N, d] temporaries left (measured: at
 * d = 10⁶ it then ends past 2 GiB). The backward pass writes into the reserved buffer when nothing
 * else holds it, and otherwise allocates.
 */
const reserved = new Map<object, tf.Tensor>();

export function reserveGradient(W: tf.Tensor): void {
  if (!isWide(W) || reserved.has(W.dataId)) return;
  reserved.set(W.dataId, tf.keep(allocateHeap(W.shape)));
}

export function releaseGradient(W: tf.Tensor): void {
  reserved.get(W.dataId)?.dispose();
  reserved.delete(W.dataId);
}

/** A restarted engine (engine/backend.ts) dropped every tensor: forget the reservations without disposing. */
export const forgetReservedGradients = (): void => reserved.clear();

/** wideMatMulGather's calls by the weight's data id; read-only outside: tests check that the wide path ran. */
const wideCalls = new WeakMap<object, number>();
export const widePathCalls = (W: tf.Tensor): number => wideCalls.get(W.dataId) ?? 0;

/**
 * rows·W for `rows` [M, d] and the gathered rows W[indices] for each index set, as one
 * differentiable result [M + Σ|indices|, h] (callers split it).
 */
export function wideMatMulGather(rows: tf.Tensor2D, W: tf.Tensor2D, indexSets: tf.Tensor1D[]): tf.Tensor2D {
  wideCalls.set(W.dataId, widePathCalls(W) + 1);
  const [m, d] = rows.shape;
  const h = W.shape[1];
  const parts = blocks(d, perBlock(h, WIDE.blockElements)); // row blocks of W, column blocks of x
  const whole = parts.length === 1; // one block: no slices
  const wBlock = (w: tf.Tensor, [r0, size]: [number, number]) => (whole ? w : tf.slice(w, [r0, 0], [size, h]));
  const xBlock = (x: tf.Tensor, [r0, size]: [number, number]) => (whole ? x : tf.slice(x, [0, r0], [m, size]));
  // The index sets are small and may be released before the backward pass: keep their values.
  const indexValues = indexSets.map((idx) => idx.dataSync());

  /** x·W over row blocks of W, each sliced (the widths our product does not take). */
  const blockedProduct = () => {
    let z = tf.zeros([m, h]);
    for (const part of parts) {
      const next = tf.tidy(() => tf.add(z, tf.matMul(xBlock(rows, part), wBlock(W, part))));
      z.dispose();
      z = next;
    }
    return z;
  };

  const forward = (save: (ts: tf.Tensor[]) => void) => {
    save([rows, W]); // the tape keeps these for the backward pass (WASM clones share the buffer)
    const z = productTakes(rows, W) ? tf.matMul(rows, W) : blockedProduct();
    return tf.concat([z, ...indexSets.map((idx) => tf.gather(W, idx))], 0) as tf.Tensor2D; // one output: callers split it
  };

  const backward = (dy: tf.Tensor, [x, w]: tf.Tensor[]) => ({
    // dx = dz·Wᵀ, block by block along d (ordinary ops: differentiable again).
    rows: () => {
      const dz = tf.slice(dy, [0, 0], [m, h]);
      return tf.concat(parts.map((part) => tf.matMul(dz, tf.transpose(wBlock(w, part)))), 1);
    },
    W: () => {
      const dz = tf.slice(dy, [0, 0], [m, h]);
      const buffer = reserved.get(w.dataId); // the saved clone shares W's data id
      const into = buffer && ownsBuffer(buffer) ? buffer : null;
      const xtdz = (part: [number, number]) => tf.tidy(() => transposedProduct(xBlock(x, part), dz));
      let dW: tf.Tensor;
      if (transposedProductFits(x.shape, dz.shape)) {
        dW = into ?? allocateHeap([d, h]);
        directKernel('wide_weight_gradient', (k) => transposedProductInto(x, dz, dW, k)); // x read in place, dW written in place
      } else if (whole && !into) dW = xtdz(parts[0]); // a fresh product: the rows' gradients are added into it
      else {
        dW = into ?? allocateHeap([d, h]);
        for (const part of parts) {
          const product = xtdz(part);
          heapFloat32(dW).set(heapFloat32(product), part[0] * h); // views taken after every allocation
          product.dispose();
        }
      }
      let offset = m;
      for (const iv of indexValues) {
        const k = iv.length;
        const g = tf.slice(dy, [offset, 0], [k, h]);
        offset += k;
        const gv = g.dataSync();
        const out = heapFloat32(dW);
        for (let r = 0; r < k; r++) for (let j = 0; j < h; j++) out[iv[r] * h + j] += gv[r * h + j];
        g.dispose();
      }
      // The reserved buffer stays with its weight; the gradient handed out shares it until disposed.
      return dW === into ? tf.clone(dW) : dW;
    },
  });

  return customOp({ inputs: { rows, W }, forward, backward });
}
