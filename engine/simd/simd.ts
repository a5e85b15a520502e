/**
 * WebAssembly SIMD kernels of our own (kernels.wat) that run inside tfjs-backend-wasm's memory.
 *
 * tfjs has no kernel fusion, and each elementwise kernel is a full pass over its operands; a JS loop
 * over heap views fuses passes but runs ~3 ns per element (V8 does not vectorise), three times a
 * WASM kernel. These kernels import the backend's own memory, so they read and write tensors in
 * place at their heap offsets, four float32 lanes at a time. The text is compiled with wabt when
 * the wasm backend starts (engine/backend.ts); every kernel has a tf-op equivalent it is tested
 * against.
 */
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import wabtInit from 'wabt';
import { isRecording } from '../untaped.ts';
import { RELAXED_FEATURES, fuseMultiplyAdds, relaxedSimdAvailable } from './fused-multiply-add.ts';

/** The kernels' exports (kernels.wat documents each): pointers are byte offsets, sizes element counts. */
export interface SimdKernels {
  sum_rows(src: number, dst: number, R: number, m: number): void;
  weighted_sum_rows(src: number, w: number, dst: number, R: number, m: number): void;
  row_dots(src: number, w: number, dst: number, R: number, m: number): void;
  sum_squares(src: number, dst: number, rows: number, m: number): void;
  product(A: number, B: number, C: number, M: number, K: number, N: number, lda: number, acc: number): void;
  transpose2d(src: number, dst: number, rows: number, cols: number, lds: number): void;
  tanh2c_fwd(y0: number, z1: number, z2: number, y1: number, y2: number, R: number, N: number, h: number, rs: number, ns: number, hasZ2: number): void;
  tanh2c_grad_z0(y0: number, z1: number, z2: number, g0: number, g1: number, g2: number, out: number, R: number, N: number, h: number, rs: number, ns: number, hasZ2: number, hasG0: number): void;
  tanh2c_grad_z1(y0: number, z1: number, g1: number, g2: number, out: number, R: number, N: number, h: number, rs: number, ns: number): void;
  tanh2_fwd(y0: number, z1: number, z2: number, y1: number, y2: number, R: number, N: number, h: number, rs: number, ns: number, rs2: number, ns2: number, hasZ2: number): void;
  tanh2_grad_z0(y0: number, z1: number, z2: number, g0: number, g1: number, g2: number, out: number, R: number, N: number, h: number, rs: number, ns: number, rs2: number, ns2: number, hasZ2: number, hasG0: number): void;
  tanh2_grad_z12(y0: number, z1: number, g1: number, g2: number, out1: number, out2: number, R: number, N: number, h: number, rs: number, ns: number, rs2: number, ns2: number): void;
  two_body_s(x: number, cw: number, s: number, N: number, m: number): void;
  two_body_sums(x: number, sw: number, cw: number, sinS: number, cosS: number, c: number, N: number, m: number, lap: number, psi: number, negInner: number, radial: number): void;
  threefry_normal(out: number, pairs: number, counter: number, k0: number, k1: number): void;
  sin_cos(x: number, sinOut: number, cosOut: number, n: number): number;
  tanh(x: number, out: number, n: number): void;
  adam(p: number, g: number, m: number, v: number, pOut: number, mOut: number, vOut: number, n: number, beta1: number, rest1: number, beta2: number, rest2: number, stepSize: number, vCorrection: number, epsilon: number): void;
}

let kernels: SimdKernels | null = null;
/** The memory `kernels` import: a restarted engine (engine/backend.ts) has a new one. */
let kernelsMemory: WebAssembly.Memory | null = null;
let multiplyAddsFused = false;

/** wat text → a WebAssembly binary, SIMD and relaxed SIMD parsed (wabt; whether V8 runs relaxed SIMD is separate). */
export async function watCompiler(): Promise<(text: string) => Uint8Array<ArrayBuffer>> {
  const wabt = await wabtInit();
  return (text) => {
    const parsed = wabt.parseWat('kernels.wat', text, RELAXED_FEATURES);
    try {
      parsed.validate();
      return parsed.toBinary({}).buffer as Uint8Array<ArrayBuffer>;
    } finally {
      parsed.destroy();
    }
  };
}

/** tfjs-backend-wasm's memory, which our kernels import to read and write tensors in place. */
function backendMemory(): WebAssembly.Memory {
  const memory = (tf.backend() as unknown as { wasm: { asm: { memory: WebAssembly.Memory } } }).wasm.asm.memory;
  if (!(memory instanceof WebAssembly.Memory)) throw new Error('tfjs-backend-wasm does not export its memory: the SIMD kernels cannot run');
  return memory;
}

/** A binary of kernels.wat (or of a variant of its text) instantiated on the wasm backend's memory. */
export function instantiateKernels(binary: Uint8Array<ArrayBuffer>, memory = backendMemory()): SimdKernels {
  return new WebAssembly.Instance(new WebAssembly.Module(binary), { env: { memory } }).exports as unknown as SimdKernels;
}

export async function loadSimdKernels(): Promise<void> {
  const memory = backendMemory();
  if (kernels && kernelsMemory === memory) return;
  try {
    const toBinary = await watCompiler();
    const text = readFileSync(new URL('./kernels.wat', import.meta.url), 'utf8');
    const fused = relaxedSimdAvailable(toBinary);
    kernels = instantiateKernels(toBinary(fused ? fuseMultiplyAdds(text) : text), memory);
    kernelsMemory = memory;
    multiplyAddsFused = fused;
  } catch (e) {
    // Node ≥ 16.4 runs WebAssembly SIMD; a failure here is a broken install or a changed tfjs-backend-wasm.
    throw new Error(`the wasm backend's SIMD kernels (engine/simd/kernels.wat) did not load: ${(e as Error).message.split('\n')[0]}`);
  }
}

/** Whether the loaded kernels fuse their multiply-adds (FUSED_KERNELS in engine/simd/fused-multiply-add.ts); machine.json records it. */
export const kernelsFuseMultiplyAdds = (): boolean => multiplyAddsFused;

/**
 * Whether kernels whose outputs carry no gradient (sources and other data) can run now: on wasm, and
 * where no gradient tape is recording (the gPINN variants differentiate their source).
 */
export const dataKernelsAvailable = (): boolean => kernels !== null && tf.getBackend() === 'wasm' && !isRecording();

/** The loaded kernels (the wasm backend loads them when it starts), for calls inside a registered tfjs kernel. */
export function simd(): SimdKernels {
  if (!kernels) throw new Error('the SIMD kernels are not loaded: they come with the wasm backend (initEngine)');
  return kernels;
}

/** Calls and summed wall time of one kernel called directly. */
export interface DirectTime {
  count: number;
  ms: number;
}

let directLog: Map<string, DirectTime> | null = null;

/**
 * run(kernels) for one operation of our SIMD kernels outside any registered tfjs kernel (data
 * kernels, Adam, the wide layer's gradient): tf.profile sees only registered kernels, so while
 * timeDirectCalls runs, the operation is timed here as one call of `name` (synchronous WASM: its wall
 * time is its kernel time), however many kernel calls it makes, as a registered kernel would be.
 */
export function directKernel<T>(name: string, run: (k: SimdKernels) => T): T {
  const k = simd();
  const log = directLog;
  if (!log) return run(k);
  const t0 = performance.now();
  try {
    return run(k);
  } finally {
    const entry = log.get(name) ?? { count: 0, ms: 0 };
    entry.count += 1;
    entry.ms += performance.now() - t0;
    log.set(name, entry);
  }
}

/** f's result and the direct kernel operations it ran (directKernel), by name. */
export async function timeDirectCalls<T>(f: () => Promise<T>): Promise<{ result: T; direct: Map<string, DirectTime> }> {
  if (directLog) throw new Error('timeDirectCalls does not nest');
  const log = new Map<string, DirectTime>();
  directLog = log;
  try {
    return { result: await f(), direct: log };
  } finally {
    directLog = null;
  }
}
