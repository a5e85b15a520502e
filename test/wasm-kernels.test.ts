/**
 * The WASM kernel overrides (engine/simd/kernel-overrides.ts) give the stock results: Slice over ranks 1–5,
 * contiguous and strided, float32 / int32 / bool, checked against an index-by-index reference.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../engine/backend.ts';
import { TRANSPOSED_BLOCKS, TRANSPOSED_PRODUCT, productByRowBlocks, productFits, simdOverrideCalls, transposedProductFits } from '../engine/simd/kernel-overrides.ts';
import { FUSED_KERNELS, fuseMultiplyAdds, relaxedSimdAvailable } from '../engine/simd/fused-multiply-add.ts';
import { instantiateKernels, watCompiler } from '../engine/simd/simd.ts';
import { heapOffset } from '../engine/wasm-heap.ts';
import { sumSquaresRows } from '../engine/sum-squares.ts';
import { transposedProduct } from '../engine/gradients.ts';
import { readFileSync } from 'node:fs';

before(async () => {
  await initEngine('wasm');
});

/** x[begin : begin + size] element by element, on the flat values. */
function reference(values: number[], shape: number[], begin: number[], size: number[]): number[] {
  const strides = shape.map((_, k) => shape.slice(k + 1).reduce((a, b) => a * b, 1));
  const out: number[] = [];
  const walk = (k: number, offset: number) => {
    if (k === shape.length) return void out.push(values[offset]);
    for (let i = 0; i < size[k]; i++) walk(k + 1, offset + (begin[k] + i) * strides[k]);
  };
  walk(0, 0);
  return out;
}

/** f's result and how often the kernel overrides called each of these SIMD exports meanwhile. */
function simdCallsOf<T>(names: Parameters<typeof simdOverrideCalls>[0][], f: () => T): { result: T; calls: Record<string, number> } {
  const before = names.map(simdOverrideCalls);
  const result = f();
  return { result, calls: Object.fromEntries(names.map((n, i) => [n, simdOverrideCalls(n) - before[i]])) };
}

const cases: { shape: number[]; begin: number[]; size: number[] }[] = [
  { shape: [7], begin: [2], size: [4] },
  { shape: [5, 6], begin: [1, 0], size: [3, 6] }, // whole rows: contiguous
  { shape: [5, 6], begin: [0, 1], size: [5, 4] }, // columns: strided
  { shape: [4, 3, 5], begin: [1, 1, 2], size: [2, 2, 3] },
  { shape: [3, 4, 2, 5], begin: [0, 2, 1, 1], size: [3, 2, 1, 4] },
  { shape: [2, 3, 2, 3, 4], begin: [1, 0, 1, 1, 0], size: [1, 3, 1, 2, 3] },
  { shape: [4, 5], begin: [2, 3], size: [0, 2] }, // empty
];

for (const dtype of ['float32', 'int32', 'bool'] as const) {
  for (const c of cases) {
    test(`wasm Slice ${dtype} [${c.shape}] begin [${c.begin}] size [${c.size}]`, () => {
      const n = c.shape.reduce((a, b) => a * b, 1);
      const values = Array.from({ length: n }, (_, i) => (dtype === 'bool' ? (i * 7) % 3 === 0 ? 1 : 0 : i * 1.5 - 4));
      const x = tf.tensor(dtype === 'int32' ? values.map(Math.round) : values, c.shape, dtype);
      const got = tf.slice(x, c.begin, c.size);
      assert.deepEqual(got.shape, c.size);
      assert.deepEqual(Array.from(got.dataSync()), reference(Array.from(x.dataSync()), c.shape, c.begin, c.size));
      tf.dispose([x, got]);
    });
  }
}

test('wasm Slice with size −1 runs to the end of the axis', () => {
  const x = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]);
  assert.deepEqual(Array.from(tf.slice(x, [0, 1], [-1, -1]).dataSync()), [2, 3, 5, 6]);
});

/** Σ over `axes` element by element. */
function referenceSum(values: number[], shape: number[], axes: number[]): number[] {
  const kept = shape.map((_, k) => k).filter((k) => !axes.includes(k));
  const strides = shape.map((_, k) => shape.slice(k + 1).reduce((a, b) => a * b, 1));
  const outSize = kept.reduce((a, k) => a * shape[k], 1);
  const out = new Array<number>(outSize).fill(0);
  values.forEach((v, flat) => {
    const index = shape.map((_, k) => Math.floor(flat / strides[k]) % shape[k]);
    const o = kept.reduce((a, k) => a * shape[k] + index[k], 0);
    out[o] += v;
  });
  return out;
}

// [shape, axes, keepDims, ours]: ours where the axes are leading ones (the SIMD sum_rows), the stock kernel otherwise.
for (const [shape, axes, keepDims, ours] of [
  [[16, 5, 7], [0], false, true], // 32 columns in SIMD lanes, 3 in the scalar tail
  [[16, 5, 8], [0], false, true], // lanes only
  [[16, 5, 7], [0], true, true],
  [[3, 4, 5, 2], [0, 1], false, true],
  [[3, 4, 5, 2], [1, 0], true, true],
  [[6, 9], [0], false, true],
  [[6, 9], [1], false, false], // innermost: the stock kernel
  [[4, 3, 2], [0, 1, 2], false, false], // all axes: the stock kernel
] as [number[], number[], boolean, boolean][]) {
  test(`wasm Sum over axes [${axes}] of [${shape}] (keepDims ${keepDims}) by ${ours ? 'the SIMD sum_rows' : 'the stock kernel'}`, () => {
    const n = shape.reduce((a, b) => a * b, 1);
    const values = Array.from({ length: n }, (_, i) => Math.sin(i) * 3);
    const x = tf.tensor(values, shape);
    const { result: got, calls } = simdCallsOf(['sum_rows'], () => tf.sum(x, axes, keepDims));
    assert.equal(calls.sum_rows, ours ? 1 : 0, 'sum_rows calls');
    const want = referenceSum(values, shape, axes);
    const wantShape = keepDims ? shape.map((s, k) => (axes.includes(k) ? 1 : s)) : shape.filter((_, k) => !axes.includes(k));
    assert.deepEqual(got.shape, wantShape);
    Array.from(got.dataSync()).forEach((v, i) => assert.ok(Math.abs(v - want[i]) < 1e-4, `[${i}] ${v} vs ${want[i]}`));
  });
}

test('wasm Sum over a leading axis leaves no buffer behind', () => {
  const dataIds = () => (tf.backend() as unknown as { numDataIds(): number }).numDataIds();
  const x = tf.randomNormal([8, 4, 3]);
  tf.sum(x, 0).dispose();
  const before = dataIds();
  tf.sum(x, 0).dispose();
  assert.equal(dataIds(), before);
});

// [rows, cols, outs]: x [rows, cols], W [cols, outs]. One column (the weighted row sum), widths the SIMD
// transposed product takes (the hidden layers' tangents, one row, several blocks), and widths it leaves to XNNPACK.
for (const [rows, cols, outs] of [[1600, 128, 1], [37, 10, 1], [1600, 128, 128], [1, 4, 8], [9, 12, 24], [5, 6, 8], [6, 8, 12]]) {
  const kernel = outs === 1 ? 'the SIMD weighted row sum' : cols % 4 === 0 && outs % 8 === 0 ? 'the SIMD transposed product' : 'XNNPACK';
  test(`gradient of x·W for W [${cols}, ${outs}] (Aᵀ·G by ${kernel}) = xᵀ·c, also under a nested gradient`, () => {
    tf.tidy(() => {
      const x = tf.randomNormal([rows, cols], 0, 1, 'float32', 3);
      const W = tf.randomNormal([cols, outs], 0, 1, 'float32', 4);
      const c = tf.randomNormal([rows, outs], 0, 1, 'float32', 5);
      const loss = (w: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D), c));
      const X = x.arraySync() as number[][];
      const C = c.arraySync() as number[][];
      const want = Array.from({ length: cols * outs }, (_, n) => X.reduce((acc, row, r) => acc + row[Math.floor(n / outs)] * C[r][n % outs], 0));
      const top = tf.grad(loss)(W); // the top-level backward pass: the kernel
      assert.deepEqual(top.shape, [cols, outs]);
      Array.from(top.dataSync()).forEach((v, n) => assert.ok(Math.abs(v - want[n]) < 1e-3 * Math.max(1, Math.abs(want[n])), `[${n}] ${v} vs ${want[n]}`));
      // Inside an enclosing gradient the backward pass is recorded: tf ops, differentiable again (the
      // kernel has no gradient; taken there, the outer gradient would fail).
      const curved = (w: tf.Tensor) => tf.sum(tf.mul(tf.tanh(tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D)), c));
      const nested = tf.grad((w: tf.Tensor) => tf.sum(tf.square(tf.grad(curved)(w))))(W);
      assert.ok(Array.from(nested.dataSync()).every(Number.isFinite));
    });
  });
}

test('Aᵀ·G runs as our kernel where its shapes fit, as XNNPACK elsewhere', async () => {
  assert.ok(transposedProductFits([1600, 128], [1600, 128]) && transposedProductFits([37, 10], [37, 1]));
  assert.ok(!transposedProductFits([5, 6], [5, 8]) && !transposedProductFits([8, 8], [8, 12]) && !transposedProductFits([4, 8], [5, 8]));
  const kernelsOfGradient = async (rows: number, cols: number, outs: number) => {
    const x = tf.randomNormal([rows, cols]) as tf.Tensor2D;
    const W = tf.randomNormal([cols, outs]);
    const prof = await tf.profile(() => tf.tidy(() => void tf.grad((w: tf.Tensor) => tf.sum(tf.matMul(x, w as tf.Tensor2D)))(W).dataSync()));
    tf.dispose([x, W]);
    return prof.kernelNames;
  };
  assert.ok((await kernelsOfGradient(16, 8, 16)).includes(TRANSPOSED_PRODUCT));
  assert.ok(!(await kernelsOfGradient(16, 6, 16)).includes(TRANSPOSED_PRODUCT));
});

test('Aᵀ·G for a tall A (2²⁴ elements and more: summed over row blocks) = the JS product, every block counted', () => {
  // [340000, 50]: the weight-sharing layer's view of the input, just over the size at which wasm sums
  // Aᵀ·G over blocks of 2²² elements (5 blocks here); G of 2 columns keeps our SIMD kernel out.
  // Entries in {−1, 0, 1}: every sum is an integer below 2²⁴, so float32 gives it exactly.
  const [M, K, N] = [340_000, 50, 2];
  const ternary = (n: number, salt: number) => Float32Array.from({ length: n }, (_, i) => (Math.imul(i + salt, 2654435761) >>> 29) % 3 - 1);
  const [A, G] = [ternary(M * K, 1), ternary(M * N, 7)];
  const want = new Float32Array(K * N);
  for (let i = 0; i < M; i++) for (let k = 0; k < K; k++) for (let j = 0; j < N; j++) want[k * N + j] += A[i * K + k] * G[i * N + j];
  const got = tf.tidy(() => transposedProduct(tf.tensor2d(A, [M, K]), tf.tensor2d(G, [M, N])).dataSync());
  assert.deepEqual(Array.from(got), Array.from(want));
});

/** got [M, N] against the JS product Σ_k a(i, k)·B[k, j], within float32 summation error. */
function assertProduct(got: ArrayLike<number>, a: (i: number, k: number) => number, B: ArrayLike<number>, M: number, K: number, N: number): void {
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let want = 0;
      for (let k = 0; k < K; k++) want += a(i, k) * B[k * N + j];
      assert.ok(Math.abs(got[i * N + j] - want) < 1e-4 * Math.max(1, Math.sqrt(K)), `[${i}, ${j}] ${got[i * N + j]} vs ${want}`);
    }
  }
}

// Aᵀ·g for a column g (the weighted row sum, rows outer, four at a time): each entry is the float32 sum in
// row order, bit for bit, whatever R mod 4 and m mod 4 (a tall [K, 50] A is the weight-sharing map's input).
for (const [K, M] of [[1, 1], [3, 3], [4, 4], [6, 5], [7, 50], [1001, 50], [1600, 128], [9, 2]]) {
  test(`Aᵀ·g for A [${K}, ${M}] and a column g = the row-ordered float32 sum, exactly`, () => {
    tf.tidy(() => {
      const a = tf.randomNormal([K, M], 0, 1, 'float32', 10);
      const g = tf.randomNormal([K, 1], 0, 1, 'float32', 11);
      const [A, G] = [a.dataSync(), g.dataSync()];
      const got = (tf.engine().runKernel(TRANSPOSED_PRODUCT, { a, g }) as tf.Tensor).dataSync();
      for (let j = 0; j < M; j++) {
        let want = 0;
        for (let k = 0; k < K; k++) want = Math.fround(want + Math.fround(A[k * M + j] * G[k]));
        assert.equal(got[j], want, `[${j}]`);
      }
    });
  });
}

// Aᵀ·G by column blocks of A (transposed, then our product): ragged last blocks of columns and of G's
// rows with the block width lowered; one block (the hidden layers), several of 1024 columns (the first layer).
for (const [K, M, N, lowered] of [[3, 28, 8, true], [1030, 16, 128, true], [1600, 128, 128, false], [100, 4100, 16, false]] as const) {
  test(`Aᵀ·G for A [${K}, ${M}], G [${K}, ${N}] by column blocks${lowered ? ' (block width lowered)' : ''} = the JS product`, () => {
    const saved = { ...TRANSPOSED_BLOCKS };
    if (lowered) TRANSPOSED_BLOCKS.columns = 12;
    try {
      tf.tidy(() => {
        const a = tf.randomNormal([K, M], 0, 1, 'float32', 8);
        const g = tf.randomNormal([K, N], 0, 1, 'float32', 9);
        const [A, G] = [a.dataSync(), g.dataSync()];
        const got = (tf.engine().runKernel(TRANSPOSED_PRODUCT, { a, g }) as tf.Tensor).dataSync();
        assertProduct(got, (i, k) => A[k * M + i], G, M, K, N);
      });
    } finally {
      Object.assign(TRANSPOSED_BLOCKS, saved);
    }
  });
}

// [M, K, N]: our SIMD product where it fits (M % 4, N % 8), in blocks of 2¹⁷ / N rows of the right operand
// (one, two with a short last one, one ending exactly at a block, three), XNNPACK elsewhere; against a JS reference.
// A column right operand (N = 1) by row_dots: rows of 16-column blocks, 4-column blocks and a scalar tail.
for (const [M, K, N] of [[1600, 128, 128], [4, 1, 8], [8, 3, 16], [100, 1000, 128], [4, 1040, 128], [12, 4096, 64], [8, 3000, 128], [5, 6, 8], [8, 6, 12], [1600, 128, 1], [7, 3, 1], [5, 50, 1], [3, 37, 1], [1, 1, 1]]) {
  const ours = productFits([M, K], [K, N]);
  test(`matMul [${M}, ${K}]·[${K}, ${N}] by ${ours ? (N === 1 ? 'the SIMD row dots' : 'the SIMD product') : 'XNNPACK'} = the JS product`, () => {
    tf.tidy(() => {
      const a = tf.randomNormal([M, K], 0, 1, 'float32', 6) as tf.Tensor2D;
      const b = tf.randomNormal([K, N], 0, 1, 'float32', 7) as tf.Tensor2D;
      const A = a.dataSync();
      const B = b.dataSync();
      const { result: product, calls } = simdCallsOf(['product', 'row_dots'], () => tf.matMul(a, b));
      assert.deepEqual(calls, { product: ours && N > 1 ? 1 : 0, row_dots: ours && N === 1 ? 1 : 0 }, 'SIMD calls');
      assertProduct(product.dataSync(), (i, k) => A[i * K + k], B, M, K, N);
    });
  });
}

// The multiply-adds of the product, sin_cos and tanh fused (relaxed SIMD, engine/simd/fused-multiply-add.ts):
// exactly their text changes, by the expected count, the other kernels' text (Adam's exact arithmetic
// among them) stays; both the fused and the unfused module compute the product (a block of 2¹⁷ / N rows
// and a ragged one after it), sin and cos within 2e-7 of libm, tanh within 1.2e-7 (relative) of Math.tanh.
test('the fused product, sin_cos and tanh = the JS product and libm, and fusing touches only them', async (t) => {
  const text = readFileSync(new URL('../engine/simd/kernels.wat', import.meta.url), 'utf8');
  const fused = fuseMultiplyAdds(text);
  assert.deepEqual(FUSED_KERNELS, { product: 8, sin_cos: 20, tanh: 13 });
  assert.equal(fused.match(/relaxed_madd|relaxed_nmadd/g)?.length, 41);
  const fn = (s: string, name: string) => {
    const start = s.indexOf(`(func (export "${name}")`);
    const next = s.indexOf('(func ', start + 1);
    return s.slice(start, next < 0 ? s.lastIndexOf(')') : next);
  };
  const rest = (s: string) => s.replace(fn(s, 'product'), '').replace(fn(s, 'sin_cos'), '').replace(fn(s, 'tanh'), '');
  assert.equal(rest(fused), rest(text));
  assert.throws(() => fuseMultiplyAdds(text.replace('(f32x4.add (local.get $c31)', '(f32x4.min (local.get $c31)')), /product has 7 multiply-adds/);
  const toBinary = await watCompiler();
  if (!relaxedSimdAvailable(toBinary)) return t.skip('this V8 has no relaxed SIMD');
  const [M, K, N] = [8, 1100, 128];
  tf.tidy(() => {
    const a = tf.randomNormal([M, K], 0, 1, 'float32', 10);
    const b = tf.randomNormal([K, N], 0, 1, 'float32', 11);
    const [A, B] = [a.dataSync(), b.dataSync()];
    const xs = Float32Array.from({ length: 40008 }, (_, i) => -20 + i * 0.001);
    const x = tf.tensor1d(xs);
    for (const source of [text, fused]) {
      const k = instantiateKernels(toBinary(source));
      const c = tf.zeros([M, N]);
      productByRowBlocks(k, heapOffset(a), heapOffset(b), heapOffset(c), M, K, N);
      assertProduct(c.dataSync(), (i, j) => A[i * K + j], B, M, K, N);
      const [s, co] = [tf.zeros([xs.length]), tf.zeros([xs.length])];
      assert.equal(k.sin_cos(heapOffset(x), heapOffset(s), heapOffset(co), xs.length), 0);
      const [sv, cv] = [s.dataSync(), co.dataSync()];
      let worst = 0;
      for (let i = 0; i < xs.length; i++) worst = Math.max(worst, Math.abs(sv[i] - Math.sin(xs[i])), Math.abs(cv[i] - Math.cos(xs[i])));
      assert.ok(worst <= 2e-7, `${source === fused ? 'fused' : 'unfused'} sin_cos: max error ${worst}`);
      k.tanh(heapOffset(x), heapOffset(s), xs.length);
      const tv = s.dataSync();
      let rel = 0;
      for (let i = 0; i < xs.length; i++) rel = Math.max(rel, Math.abs(tv[i] - Math.tanh(xs[i])) / Math.abs(Math.tanh(xs[i]) || 1));
      assert.ok(rel <= 1.2e-7, `${source === fused ? 'fused' : 'unfused'} tanh: max relative error ${rel}`);
    }
  });
});

test('STDE_WASM_FMA=0 keeps the product, sin_cos and tanh unfused', () => {
  const saved = process.env.STDE_WASM_FMA;
  process.env.STDE_WASM_FMA = '0';
  try {
    assert.equal(relaxedSimdAvailable(() => assert.fail('probed although opted out')), false);
  } finally {
    if (saved === undefined) delete process.env.STDE_WASM_FMA;
    else process.env.STDE_WASM_FMA = saved;
  }
});

// ‖x_r‖² per row by the SIMD sum_squares: row lengths with and without the 16- and 4-lane loops and a
// scalar tail; under a gradient tape the tf ops run, so the gradient is 2x.
test('sumSquaresRows = Σ x² per row, and differentiates under a tape', () => {
  for (const [rows, m] of [[3, 1], [2, 3], [5, 4], [4, 17], [7, 35], [2, 1000]]) {
    tf.tidy(() => {
      const x = tf.randomNormal([rows, m], 0, 1, 'float32', 12) as tf.Tensor2D;
      const X = x.arraySync();
      const got = sumSquaresRows(x, true);
      assert.deepEqual(got.shape, [rows, 1]);
      const values = got.dataSync();
      for (let r = 0; r < rows; r++) {
        const want = X[r].reduce((a, v) => a + v * v, 0);
        assert.ok(Math.abs(values[r] - want) <= 1e-6 * want, `[${rows}, ${m}] row ${r}: ${values[r]} vs ${want}`);
      }
      assert.deepEqual(sumSquaresRows(x).shape, [rows]);
      const g = tf.grad((y: tf.Tensor) => tf.sum(sumSquaresRows(y as tf.Tensor2D)))(x).dataSync();
      X.flat().forEach((v, i) => assert.ok(Math.abs(g[i] - 2 * v) < 1e-6, `gradient [${i}]`));
    });
  }
});

test('the SIMD product takes rank-2 products without transposes whose widths fit', () => {
  assert.ok(productFits([1600, 128], [128, 128]) && productFits([100, 10000], [10000, 128]));
  assert.ok(productFits([6, 8], [8, 1]) && productFits([2000000, 50], [50, 1])); // a column: row_dots, any M
  assert.ok(!productFits([6, 8], [8, 8]) && !productFits([8, 8], [8, 12]) && !productFits([8, 8], [9, 8]) && !productFits([8, 8], [8, 2]));
  assert.ok(!productFits([8, 8], [8, 8], true) && !productFits([8, 8], [8, 8], false, true) && !productFits([2, 8, 8], [8, 8]));
});

/** x transposed by `perm`, element by element on the flat values. */
function referenceTranspose(values: number[], shape: number[], perm: number[]): number[] {
  const strides = shape.map((_, k) => shape.slice(k + 1).reduce((a, b) => a * b, 1));
  const outShape = perm.map((p) => shape[p]);
  const out: number[] = [];
  const walk = (k: number, offset: number) => {
    if (k === outShape.length) return void out.push(values[offset]);
    for (let i = 0; i < outShape[k]; i++) walk(k + 1, offset + i * strides[perm[k]]);
  };
  walk(0, 0);
  return out;
}

// [shape, perm, ours]: ours where the SIMD transpose2d moves the data, the stock kernel (or nothing to move) otherwise.
for (const [shape, perm, ours] of [
  [[1, 1], [1, 0], false], // only unit axes: the stock kernel
  [[4, 4], [1, 0], true], // one SIMD block
  [[7, 9], [1, 0], true], // blocks and both scalar edges
  [[70, 37], [1, 0], true], // several 32-row bands, a short last band
  [[3, 100], [1, 0], true], // fewer than 4 rows: edges only
  [[16, 5, 8], [2, 0, 1], true], // a rotation: [80, 8]ᵀ
  [[16, 5, 8], [1, 2, 0], true], // a rotation: [16, 40]ᵀ
  [[16, 5, 8], [0, 2, 1], false], // not a rotation: the stock kernel
  [[2, 3, 5, 7], [2, 3, 0, 1], true],
  [[0, 5], [1, 0], false], // empty: nothing to move
  [[16, 1, 8], [2, 0, 1], true], // a rotation once the unit axis is set aside: [16, 8]ᵀ
  [[3, 1, 4, 5], [1, 2, 3, 0], true],
  [[1, 6], [1, 0], false], // only a unit axis moves: a reshape
] as [number[], number[], boolean][]) {
  for (const dtype of ['float32', 'int32'] as const) {
    test(`wasm Transpose ${dtype} [${shape}] by [${perm}]${ours ? ' by the SIMD transpose2d' : ''}`, () => {
      const n = shape.reduce((a, b) => a * b, 1);
      const values = Array.from({ length: n }, (_, i) => (dtype === 'int32' ? i * 3 - 7 : i * 0.25 - 3));
      const x = tf.tensor(values, shape, dtype);
      const { result: got, calls } = simdCallsOf(['transpose2d'], () => tf.transpose(x, perm));
      assert.equal(calls.transpose2d, ours ? 1 : 0, 'transpose2d calls');
      assert.deepEqual(got.shape, perm.map((p) => shape[p]));
      assert.deepEqual(Array.from(got.dataSync()), referenceTranspose(values, shape, perm));
    });
  }
}

// tfjs-backend-wasm caches matMul's packed weights by buffer: a transpose that shared W's buffer (as a
// reshape does) would be multiplied as the W packed before. The output layer's gradient does exactly this.
test('wasm: Wᵀ of a [k, 1] weight already used by matMul multiplies as Wᵀ (a transpose never shares a buffer)', () => {
  tf.tidy(() => {
    const W = tf.tensor2d([1, 2, 3, 4, 5], [5, 1]);
    assert.deepEqual(Array.from(tf.matMul(tf.ones([2, 5]), W).dataSync()), [15, 15]);
    const got = tf.matMul(tf.tensor2d([1, 10, 100], [3, 1]), tf.transpose(W));
    assert.deepEqual(Array.from(got.dataSync()), [1, 2, 3, 4, 5, 10, 20, 30, 40, 50, 100, 200, 300, 400, 500]);
  });
});

test('Adam on wasm: one SIMD pass, the same bits as the thirteen tf ops', async () => {
  const { Adam } = await import('../benchmarks/training/adam.ts');
  // 1003 entries: vector blocks and a scalar tail; [1] a bias of one; moments and lr change each step.
  for (const shape of [[17, 59], [1]]) {
    const n = shape.reduce((a, b) => a * b, 1);
    const rand = (seed: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(seed * 1000 + i * 12.9898) * 2);
    const [fusedP, opsP] = ['fused', 'ops'].map((k) => tf.variable(tf.tensor(rand(1), shape), true, `adam-${k}-${n}`));
    const fused = new Adam([fusedP]);
    const ops = new Adam([opsP], undefined, { kernels: false });
    for (let t = 1; t <= 3; t++) {
      const g = tf.tensor(rand(10 + t), shape);
      const kernels = (await tf.profile(() => fused.apply({ [fusedP.name]: g }, 0.01 * t))).kernelNames;
      assert.ok(!kernels.includes('Sqrt'), `the SIMD update ran, not the tf ops (${kernels})`);
      ops.apply({ [opsP.name]: g }, 0.01 * t);
      g.dispose();
      const [a, b] = [fusedP.dataSync(), opsP.dataSync()];
      assert.ok(a.some((x, i) => x !== rand(1)[i]), 'θ moved');
      for (let i = 0; i < n; i++) assert.equal(a[i], b[i], `[${shape}] step ${t}: θ[${i}]`);
    }
    fused.dispose();
    ops.dispose();
    tf.dispose([fusedP, opsP]);
  }
});

test('sin_cos: sin and cos within 2e-7 of libm in float64; large |x| and short inputs go to the tf ops', async () => {
  const { sinCos, sinCosKernel } = await import('../benchmarks/pdes/solutions/trig.ts');
  const grid = Array.from({ length: 40001 }, (_, i) => -20 + i * 0.001); // 40001 + 12: the last block of 8 overlaps
  const special = [0, -0, Math.PI / 4, -Math.PI / 4, Math.PI / 2, Math.PI, 1.5 * Math.PI, 3.14159274, 100.5, -777.25, 8191.9, -8192];
  const xs = Float32Array.from([...grid, ...special]);
  const x = tf.tensor1d(xs);
  const [s, c] = sinCosKernel(x);
  const [sv, cv] = [s.dataSync(), c.dataSync()];
  let worst = 0;
  for (let i = 0; i < xs.length; i++) worst = Math.max(worst, Math.abs(sv[i] - Math.sin(xs[i])), Math.abs(cv[i] - Math.cos(xs[i])));
  assert.ok(worst <= 2e-7, `max error ${worst}`);
  const nan = sinCosKernel(tf.tensor1d([1, NaN, 2, 3, 4, 5, 6, 7, 8]));
  assert.ok(Number.isNaN(nan[0].dataSync()[1]) && Number.isNaN(nan[1].dataSync()[1]), 'NaN in, NaN out');
  // Beyond 8192 the reduction loses bits: the whole call takes the tf ops instead.
  for (const odd of [tf.tensor1d([0.5, 1e5, 2, 3, 4, 5, 6, 7, 8]), tf.tensor1d([0.5, 2, 3, 4, 5, 6, 7])]) {
    const [a, b] = [sinCosKernel(odd), sinCos(odd)];
    assert.deepEqual([...a[0].dataSync(), ...a[1].dataSync()], [...b[0].dataSync(), ...b[1].dataSync()]);
    tf.dispose([odd, ...a, ...b]);
  }
  tf.dispose([x, s, c, ...nan]);
});

// Tanh on wasm by the SIMD kernel (4 entries and up; the last block overlaps where n is not a multiple of 4),
// the stock kernel below: Math.tanh's values within 1.2e-7 relative, the signs of ±0 and ±∞, NaN, and the
// two branches (|x| < 0.625 a polynomial, above through e^{2|x|}, clamped where tanh rounds to ±1).
test('wasm Tanh = Math.tanh within 1.2e-7 relative, ±0, ±∞ and NaN included, at every length', () => {
  const special = [0, -0, 1e-30, -1e-7, 0.625, -0.6249999, 0.6640, 8.99, 9, 9.01, -20, 88.5, 1e30, Infinity, -Infinity, NaN];
  const grid = Array.from({ length: 24001 }, (_, i) => -12 + i * 0.001);
  for (const xs of [[...special, ...grid], special.slice(0, 5), special.slice(0, 4), special.slice(0, 3), [0.3]]) {
    const x = Float32Array.from(xs);
    const got = tf.tidy(() => tf.tanh(tf.tensor1d(x)).dataSync());
    for (let i = 0; i < x.length; i++) {
      const want = Math.tanh(x[i]);
      if (Number.isNaN(want)) assert.ok(Number.isNaN(got[i]), `tanh(${x[i]})`);
      else if (want === 0) assert.ok(Object.is(got[i], want), `tanh(${Object.is(x[i], -0) ? '-0' : x[i]}) = ${got[i]}`);
      else assert.ok(Math.abs(got[i] - want) <= 1.2e-7 * Math.abs(want), `tanh(${x[i]}) = ${got[i]}, not ${want}`);
    }
  }
});

test('direct SIMD operations are timed by name while timeDirectCalls runs, and only then', async () => {
  const { directKernel, timeDirectCalls } = await import('../engine/simd/simd.ts');
  const { sinCosKernel } = await import('../benchmarks/pdes/solutions/trig.ts');
  const x = tf.tensor1d([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]);
  const untimed = sinCosKernel(x); // outside a session: logged nowhere
  const t0 = performance.now();
  const { result, direct } = await timeDirectCalls(async () => {
    // Two SIMD calls (of empty rows: they touch nothing) in one operation.
    directKernel('two_calls', (k) => {
      k.sum_rows(0, 0, 0, 0);
      k.sum_rows(0, 0, 0, 0);
    });
    // An operation of known length: 5 ms spent inside run, then nothing after it.
    directKernel('five_ms', () => {
      const start = performance.now();
      while (performance.now() - start < 5);
    });
    await new Promise((resolve) => setTimeout(resolve, 30)); // time outside every operation: not counted
    return [...sinCosKernel(x), ...sinCosKernel(x)];
  });
  const session = performance.now() - t0;
  assert.deepEqual([...direct.keys()].sort(), ['five_ms', 'sin_cos', 'two_calls']);
  assert.equal(direct.get('sin_cos')!.count, 2);
  assert.equal(direct.get('two_calls')!.count, 1, 'one operation, however many SIMD calls');
  // Each operation's own wall time: all of run's 5 ms, none of the 30 ms between operations (timers may fire ~1 ms early).
  assert.ok(direct.get('five_ms')!.ms >= 5, `five_ms timed ${direct.get('five_ms')!.ms} ms`);
  const timed = [...direct.values()].reduce((a, t) => a + t.ms, 0);
  assert.ok(timed <= session - 25, `${timed} ms timed of a ${session} ms session with 30 ms outside any operation`);
  assert.ok(Math.abs(result[0].dataSync()[4] - Math.sin(0.5)) < 1e-6, 'the timed call still computes');
  assert.equal((await timeDirectCalls(async () => 0)).direct.size, 0, 'a new session starts empty');
  await assert.rejects(timeDirectCalls(() => timeDirectCalls(async () => 0)), /does not nest/);
  tf.dispose([x, ...untimed, ...result]);
});
