/**
 * Kernel overrides for the WASM backend.
 *
 * Identity: the tape saves every input a gradient needs through tf.clone, which runs the Identity
 * kernel, and WASM's Identity copies the buffer. For a 1e6-dimensional input batch and first-layer
 * weight that is ~1 GB of copies per step. tfjs tensors are immutable (Variable.assign swaps the
 * data id), so sharing the buffer with a reference count, as WASM's own Reshape does, is safe.
 *
 * Cast to the same dtype: every stock Mul/Div gradient casts its saved operand to float32, which
 * on WASM is another full copy. Same-dtype casts share the buffer too; real casts are unchanged.
 *
 * Slice: the stock kernel first copies the WHOLE input out of the heap (readSync), then the slice.
 * Taking one row of a [100, 1e6] batch copied 400 MB (0.26 s; the row-blocked source term at
 * d = 1e6 spent 26 of its 33 s there). Here the slice is copied from a view of the heap.
 *
 * Sum over leading axes: WASM's Sum reduces innermost axes only, so summing a jet [R, N, h] over
 * its direction axis (collapsed mode, and every broadcast Mul's gradient) first transposed it to
 * [N, h, R]. Summing down the rows of a heap view reads it once.
 *
 * Tanh: libm's tanhf one element at a time in the stock kernel, ~6–13 ns each; the SIMD `tanh` (see
 * the override) takes ~2.6 ns.
 *
 * Transpose that rotates the axes ([k … n−1, 0 … k−1], every rank-2 transpose among them), once the
 * axes of size 1 are set aside: a 2-D transpose of [Π leading, Π trailing] by the SIMD kernel
 * `transpose2d` in 4×4 blocks. It never shares the input's buffer, not even where only unit axes move:
 * tfjs-backend-wasm caches matMul's packed weights by buffer, so Wᵀ of a [k, 1] weight sharing W's
 * buffer would be multiplied as the W packed before (garbage; test/wasm-kernels.test.ts). The stock
 * kernel moves one element at a time (0.6 ms for [1600, 128], 2.8 ms for [100, 10⁴]: the weight
 * gradients' explicit transposes, engine/gradients.ts).
 *
 * BatchMatMul of rank-2 operands whose widths fit (the hidden layers, the first layer's product): the
 * SIMD `product`, which reads the right operand where it lies, a cache-sized block of rows at a time;
 * XNNPACK packs a copy of it for every new tensor. A column right operand (one output: the last layer,
 * the weight-sharing map) by `row_dots`, a dot product per row. And a kernel of our own, StdeTransposedProduct:
 * the weight gradient Aᵀ·G, A transposed a block of columns at a time into a scratch and multiplied
 * by G with the same `product` (engine/gradients.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { heapOffset, type WasmBackend } from '../wasm-heap.ts';
import { simd, type SimdKernels } from './simd.ts';

let done = false;

/** Calls of our SIMD kernels by the overrides below, by export; read-only outside: tests check which path a kernel took. */
const overrideCalls = new Map<string, number>();
export const simdOverrideCalls = (name: keyof SimdKernels): number => overrideCalls.get(name) ?? 0;
const tally = (name: keyof SimdKernels): void => void overrideCalls.set(name, simdOverrideCalls(name) + 1);

function share(x: tf.TensorInfo, backend: unknown): tf.TensorInfo {
  (backend as WasmBackend).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

/** Copies the slice from a view of the WASM heap, one run along the last axis at a time. */
function sliceFromHeap(x: tf.TensorInfo, beginAttr: number | number[], sizeAttr: number | number[] | undefined, backend: WasmBackend): tf.TensorInfo {
  const [begin, size] = tf.slice_util.parseSliceParams(x as tf.Tensor, beginAttr, sizeAttr);
  const out = backend.makeOutput(size, x.dtype);
  const total = tf.util.sizeFromShape(size);
  if (total === 0) return out;
  // Views only after makeOutput: growing the heap detaches views taken before it.
  const src = backend.typedArrayFromHeap(x);
  const dst = backend.typedArrayFromHeap(out);
  const strides = tf.util.computeStrides(x.shape);
  if (tf.slice_util.isSliceContinous(x.shape, begin, size)) {
    const offset = tf.slice_util.computeFlatOffset(begin, strides);
    dst.set(src.subarray(offset, offset + total));
    return out;
  }
  const rank = x.shape.length;
  const run = size[rank - 1];
  const index = new Array<number>(rank - 1).fill(0); // position among the leading axes (an odometer)
  for (let o = 0; o < total; o += run) {
    let offset = begin[rank - 1];
    for (let k = 0; k < rank - 1; k++) offset += (begin[k] + index[k]) * strides[k];
    dst.set(src.subarray(offset, offset + run), o);
    for (let k = rank - 2; k >= 0 && ++index[k] === size[k]; k--) index[k] = 0;
  }
  return out;
}

/**
 * Σ over the leading `lead` axes of a float32 tensor by the SIMD kernel `sum_rows`, reading the
 * input once (0.05 ms for [16, 100, 128] against 0.43 ms for transpose + Sum, 0.24 ms for a JS loop).
 */
function sumLeading(x: tf.TensorInfo, lead: number, keepDims: boolean, backend: WasmBackend): tf.TensorInfo {
  const rest = x.shape.slice(lead);
  const out = backend.makeOutput(keepDims ? [...x.shape.slice(0, lead).map(() => 1), ...rest] : rest, 'float32');
  const m = tf.util.sizeFromShape(rest);
  tally('sum_rows');
  simd().sum_rows(heapOffset(x), heapOffset(out), tf.util.sizeFromShape(x.shape) / m, m);
  return out;
}

/** The shape and perm without the axes of size 1 (which a transpose moves without moving data). */
function withoutUnitAxes(shape: number[], perm: number[]): { shape: number[]; perm: number[] } {
  const kept = shape.map((_, a) => a).filter((a) => shape[a] !== 1);
  const rank = new Map(kept.map((a, i) => [a, i]));
  return { shape: kept.map((a) => shape[a]), perm: perm.filter((p) => shape[p] !== 1).map((p) => rank.get(p)!) };
}

/** The split point k of a perm [k … n−1, 0 … k−1] (a rotation of the axes), or null. */
function rotation(perm: number[]): number | null {
  const k = perm[0];
  return k > 0 && perm.every((p, i) => p === (k + i) % perm.length) ? k : null;
}

/**
 * x transposed by perm as [rows, cols]ᵀ where the perm, less its unit axes, rotates the axes; null
 * (the stock kernel) otherwise, and where it moves only unit axes (the stock kernel copies then).
 */
function transposeRotated(x: tf.TensorInfo, perm: number[], backend: WasmBackend): tf.TensorInfo | null {
  const outShape = perm.map((p) => x.shape[p]);
  const reduced = withoutUnitAxes(x.shape, perm);
  const k = reduced.perm.length > 1 ? rotation(reduced.perm) : null;
  if (k === null) return null;
  const rows = tf.util.sizeFromShape(reduced.shape.slice(0, k));
  const out = backend.makeOutput(outShape, x.dtype);
  const cols = tf.util.sizeFromShape(x.shape) / rows;
  if (rows > 0 && cols > 0) {
    tally('transpose2d');
    simd().transpose2d(heapOffset(x), heapOffset(out), rows, cols, cols);
  }
  return out;
}

/**
 * Our kernel for Aᵀ·G, A [K, M] and G [K, N] (a weight gradient, engine/gradients.ts), without the
 * Aᵀ tensor and the packed copy of G that XNNPACK's product needs: for a column G the SIMD weighted
 * row sum, for M a multiple of 4 and N of 8 blocks of A's columns transposed into a scratch and
 * multiplied by G with our product (transposedByBlocks).
 */
export const TRANSPOSED_PRODUCT = 'StdeTransposedProduct';

/** Whether TRANSPOSED_PRODUCT takes A [K, M] and G [K, N]. */
export function transposedProductFits(a: number[], g: number[]): boolean {
  if (a.length !== 2 || g.length !== 2 || a[0] !== g[0]) return false;
  const [K, M] = a;
  const N = g[1];
  return N === 1 || (K >= 1 && M % 4 === 0 && N % 8 === 0);
}

/**
 * Our SIMD product reads at most this many elements (512 KB) of its right operand at a time, a block
 * of rows that stays in this machine's cache; a larger operand goes through in such blocks, each
 * adding its part of the product. Measured, same process, against XNNPACK (which packs a copy of the
 * operand for every new tensor): [100, 2000]·[2000, 128] in one pass 1.5 against 1.8 ms with the
 * operand already packed and 1.8 against 2.9 ms fresh; [100, 4000]·[4000, 128] in one pass 9.0 ms,
 * the cache lost, against 3.6 and 6.3 ms.
 */
export const PRODUCT_BLOCK_ELEMENTS = 2 ** 17;

/**
 * C [M, N] = A [M, K]·B [K, N] (byte offsets; A's rows K apart) by the SIMD `product`, B read
 * PRODUCT_BLOCK_ELEMENTS at a time: each block of B's rows (A's columns) adds its part into C.
 */
export function productByRowBlocks(k: SimdKernels, pa: number, pb: number, pc: number, M: number, K: number, N: number): void {
  const rows = Math.floor(PRODUCT_BLOCK_ELEMENTS / N);
  for (let k0 = 0; k0 < K; k0 += rows) k.product(pa + 4 * k0, pb + 4 * k0 * N, pc, M, Math.min(rows, K - k0), N, K, k0 > 0 ? 1 : 0);
}

/**
 * Whether BatchMatMul runs as our SIMD kernels: rank-2 a [M, K] and b [K, N] without transposes, and
 * either M a multiple of 4 and N of 8 (`product`: the hidden layers' products and gradients, the first
 * layer's product) or N = 1 (`row_dots`: the last layer, the weight-sharing map).
 */
export function productFits(a: number[], b: number[], transposeA = false, transposeB = false): boolean {
  if (transposeA || transposeB || a.length !== 2 || b.length !== 2 || a[1] !== b[0]) return false;
  const [M, K] = a;
  const N = b[1];
  return K >= 1 && (N === 1 || (M % 4 === 0 && N % 8 === 0 && N <= PRODUCT_BLOCK_ELEMENTS));
}

/**
 * Whether tf.matMul(a, b) runs as our SIMD product here, reading b where it lies: then b is never
 * packed by XNNPACK under its data id, and may be updated in place (the wide layer's weight,
 * engine/wide-layer.ts).
 */
export function productTakes(a: tf.TensorInfo, b: tf.TensorInfo, transposeA = false, transposeB = false): boolean {
  return done && tf.getBackend() === 'wasm' && a.dtype === 'float32' && b.dtype === 'float32' && productFits(a.shape, b.shape, transposeA, transposeB);
}

/**
 * out = Aᵀ·G by the SIMD kernels, for float32 A [K, M] and G [K, N] on the WASM heap that
 * transposedProductFits takes, into `out` [M, N] (the wide layer writes a weight gradient straight
 * into its reserved buffer, outside any registered kernel: it runs this under directKernel).
 */
export function transposedProductInto(a: tf.TensorInfo, g: tf.TensorInfo, out: tf.TensorInfo, k = simd()): void {
  const [K, M] = a.shape;
  if (g.shape[1] === 1) k.weighted_sum_rows(heapOffset(a), heapOffset(g), heapOffset(out), K, M);
  else transposedByBlocks(a, g, out, k);
}

/**
 * Aᵀ·G a block of at most `columns` columns of A [K, M] at a time: the block transposed into a scratch
 * [columns, K] by `transpose2d` (rows K elements apart: contiguous), then multiplied by G with our
 * product into rows of the output; one block for the hidden layers' gradients, d / 1024 for the first
 * layer's xᵀ·dz. Reading A in place instead, down K rows for every four of its columns (a 4 × 8 kernel
 * that this replaced), was slower at every shape measured, standalone, same process: [1600, 128]ᵀ·[1600,
 * 128] 1.69 → 1.35 ms, [3200, 128]ᵀ·[3200, 128] 8.7 → 2.9 ms (A and G no longer fit in cache),
 * [100, 128]ᵀ·[100, 128] 0.093 → 0.082 ms, [100, 10⁵]ᵀ·[100, 128] 95 → 77 ms. Needs M a multiple of 4.
 */
export const TRANSPOSED_BLOCKS = { columns: 1024 };

function transposedByBlocks(a: tf.TensorInfo, g: tf.TensorInfo, out: tf.TensorInfo, k: SimdKernels): void {
  const [K, M] = a.shape;
  const N = g.shape[1];
  const backend = tf.backend() as unknown as WasmBackend;
  const width = Math.min(TRANSPOSED_BLOCKS.columns, M);
  const scratch = backend.makeOutput([width, K], 'float32');
  try {
    const [pa, pg, pc, ps] = [heapOffset(a), heapOffset(g), heapOffset(out), heapOffset(scratch)];
    for (let c0 = 0; c0 < M; c0 += width) {
      const w = Math.min(width, M - c0);
      k.transpose2d(pa + 4 * c0, ps, K, w, M);
      productByRowBlocks(k, ps, pg, pc + 4 * c0 * N, w, K, N);
    }
  } finally {
    backend.disposeData(scratch.dataId);
  }
}

type KernelArgs = Parameters<tf.KernelFunc>[0];

/**
 * Replace a WASM kernel: `kernel` gets the call and the stock kernel, and returns null to leave
 * the call to the stock one.
 */
function override(name: string, kernel: (args: KernelArgs, x: tf.TensorInfo) => tf.TensorInfo | null): void {
  const stock = tf.getKernel(name, 'wasm')!;
  tf.unregisterKernel(name, 'wasm');
  tf.registerKernel({
    ...stock,
    kernelFunc: (args) => kernel(args, args.inputs.x as tf.TensorInfo) ?? stock.kernelFunc(args),
  });
}

export function registerWasmKernelOverrides(): void {
  if (done) return;
  done = true;
  override('Identity', (args, x) => share(x, args.backend));
  override('Cast', (args, x) => ((args.attrs as { dtype: string }).dtype === x.dtype ? share(x, args.backend) : null));
  override('Slice', (args, x) => {
    if (x.dtype === 'string') return null;
    const { begin, size } = args.attrs as { begin: number | number[]; size?: number | number[] };
    return sliceFromHeap(x, begin, size, args.backend as unknown as WasmBackend);
  });
  tf.registerKernel({
    kernelName: TRANSPOSED_PRODUCT,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend }) => {
      const { a, g } = inputs as { a: tf.TensorInfo; g: tf.TensorInfo };
      const out = (backend as unknown as WasmBackend).makeOutput([a.shape[1], g.shape[1]], 'float32');
      transposedProductInto(a, g, out);
      return out;
    },
  });
  // BatchMatMul: XNNPACK packs its right operand into a copy for every new tensor (each step's weights,
  // every gradient's transposed weight), ~3 ns per element; our SIMD product reads it where it lies, a
  // cache-sized block of rows at a time ([1600, 128]·[128, 128]: 2.1–2.3 against 2.3–2.6 ms with the
  // weight already packed, 2.3 against 2.6–2.9 ms fresh; [100, 128]·[128, 128] fresh: 0.16 against 0.23 ms).
  override('BatchMatMul', (args) => {
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean };
    if (!productTakes(a, b, transposeA, transposeB)) return null;
    const [M, K] = a.shape;
    const N = b.shape[1];
    const out = (args.backend as unknown as WasmBackend).makeOutput([M, N], 'float32');
    tally(N === 1 ? 'row_dots' : 'product');
    // A column b: the weight-sharing map's x [N·d/B, B]·w [B, 1] at d = 10⁶, B = 50 took 76 ms through
    // XNNPACK and takes 45 ms by row_dots (one read of x; standalone, interleaved runs).
    if (N === 1) simd().row_dots(heapOffset(a), heapOffset(b), heapOffset(out), M, K);
    else productByRowBlocks(simd(), heapOffset(a), heapOffset(b), heapOffset(out), M, K, N);
    return out;
  });
  override('Transpose', (args, x) => {
    if (x.dtype !== 'float32' && x.dtype !== 'int32') return null;
    return transposeRotated(x, (args.attrs as { perm: number[] }).perm, args.backend as unknown as WasmBackend);
  });
  // Tanh (see the header): Cephes' tanhf four lanes at a time, ≤ 1.1e-7 relative error against Math.tanh
  // (stock: 1.3e-7). The gradient (engine/gradients.ts) is built from ops, this kernel among them. Below 4
  // entries the stock kernel (the SIMD one's last block overlaps the one before).
  override('Tanh', (args, x) => {
    const n = tf.util.sizeFromShape(x.shape);
    if (x.dtype !== 'float32' || n < 4) return null;
    const out = (args.backend as unknown as WasmBackend).makeOutput(x.shape, 'float32');
    simd().tanh(heapOffset(x), heapOffset(out), n);
    return out;
  });
  override('Sum', (args, x) => {
    const { axis, keepDims } = args.attrs as { axis: number | number[]; keepDims: boolean };
    const axes = tf.util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
    const leading = axes.length > 0 && axes.length < x.shape.length && axes.every((a, k) => a === k);
    if (x.dtype !== 'float32' || !leading || tf.util.sizeFromShape(x.shape) === 0) return null;
    return sumLeading(x, axes.length, keepDims, args.backend as unknown as WasmBackend);
  });
}
