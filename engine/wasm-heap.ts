/**
 * The usable WASM heap is 2 GiB, not 4. tfjs-backend-wasm 4.22's glue treats the pointers that
 * `_malloc` returns as signed 32-bit numbers, and XNNPACK's matMul setup fails (status 6) on buffers
 * above 2^31: past 2 GiB, writes throw "memory access out of bounds" or, worse, matMul returns
 * garbage silently (measured here). So every allocation that would end above 2 GiB is refused with
 * an out-of-memory error instead, which the runners report as status `oom`.
 */
import * as tf from '@tensorflow/tfjs';
import { noteOutOfMemory } from './out-of-memory.ts';
import { timeRethrows } from './profile.ts';

const WASM_USABLE_HEAP_BYTES = 2 ** 31;

/**
 * The heap this process may use: WASM_USABLE_HEAP_BYTES, or less where a test asks for less (to run
 * out of memory at a size a test can afford). It outlives engine restarts.
 */
let usableHeapBytes = WASM_USABLE_HEAP_BYTES;
export function limitWasmHeapForTests(bytes: number): void {
  if (!(bytes > GROWTH_SLACK_BYTES && bytes <= WASM_USABLE_HEAP_BYTES)) throw new Error(`limitWasmHeapForTests: ${bytes} B is outside (${GROWTH_SLACK_BYTES}, ${WASM_USABLE_HEAP_BYTES}]`);
  usableHeapBytes = bytes;
}

/**
 * JS-side allocations must end this far below 2 GiB: when malloc grows the heap, Emscripten adds up
 * to 96 MB beyond the request, and the heap's size must stay within 2 GiB for the check after every
 * training step (assertWasmHeapHealthy) to mean what it says.
 */
const GROWTH_SLACK_BYTES = 2 ** 27;
/** Where an allocation may end at most: the usable heap less the growth slack (1.88 GiB). The memory plan bounds runs by it too. */
export const wasmAllocationLimitBytes = (): number => usableHeapBytes - GROWTH_SLACK_BYTES;
interface WasmModule {
  _malloc(n: number): number;
  _free(p: number): void;
  HEAPU8: Uint8Array;
}

/** The modules guarded so far (a restarted engine, engine/backend.ts, brings a new one). */
const guarded = new WeakSet<WasmModule>();

export function guardWasmHeap(): void {
  const wasm = (tf.backend() as unknown as { wasm?: WasmModule }).wasm;
  if (!wasm || guarded.has(wasm)) return;
  guarded.add(wasm);
  // Emscripten's `_malloc` export is a stub that replaces itself with the raw function on first
  // use; resolve it once, then pin our wrapper so that replacement cannot undo it.
  wasm._free(wasm._malloc(16));
  const malloc = wasm._malloc;
  const guardedMalloc = (n: number) => {
    const p = malloc(n);
    const end = (p >>> 0) + n;
    if (p === 0 || end > wasmAllocationLimitBytes()) {
      if (p !== 0) wasm._free(p);
      const message = `out of memory: WASM allocation of ${(n / 2 ** 20).toFixed(0)} MB would end at ${gib(end)}, past the ${allocationLimitText()}`;
      noteOutOfMemory(message);
      throw new RangeError(message);
    }
    return p;
  };
  Object.defineProperty(wasm, '_malloc', { get: () => guardedMalloc, set: () => {}, configurable: true });
  // So that a refusal inside tf.profile propagates as itself and can be caught (the first step's
  // micro-batch retry, benchmarks/training/fit-micro-batches.ts).
  const backend = tf.backend() as unknown as { time: (f: () => void) => Promise<unknown> };
  backend.time = timeRethrows(backend.time);
}

const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(2)} GiB`;

/** Why the usable heap is what it is: tfjs-backend-wasm's bound, or a test's. */
const heapText = () => (usableHeapBytes === WASM_USABLE_HEAP_BYTES ? 'tfjs-backend-wasm handles 2 GiB correctly' : `a heap of ${gib(usableHeapBytes)}, limited for a test`);

/** The allocation limit in words, with why it is where it is. */
export const allocationLimitText = (): string => `${gib(wasmAllocationLimitBytes())} allocations may reach (${heapText()}, less 128 MiB for the heap's growth)`;

/** Bytes the WASM heap has grown to (its high-water mark: WASM memory never shrinks). */
export function wasmHeapBytes(): number | null {
  const wasm = (tf.backend() as unknown as { wasm?: WasmModule }).wasm;
  return wasm ? wasm.HEAPU8.length : null;
}

/**
 * XNNPACK allocates inside WASM (e.g. when it packs a matMul weight) without passing through the
 * guard; if that pushed the heap past 2 GiB, results can no longer be trusted.
 */
export function assertWasmHeapHealthy(): void {
  const bytes = wasmHeapBytes();
  if (bytes !== null && bytes > usableHeapBytes) {
    throw new RangeError(`out of memory: the WASM heap grew to ${gib(bytes)}, past the ${gib(usableHeapBytes)} it may use (${heapText()})`);
  }
}

/** The parts of tfjs-backend-wasm's backend that our kernels and heap views use. */
export interface WasmBackend {
  dataIdMap: { get(dataId: object): { refCount: number; memoryOffset: number } | undefined };
  incRef(dataId: object): void;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  /** Frees a buffer made by makeOutput that no tensor holds (a kernel's scratch). */
  disposeData(dataId: object): boolean;
  /** A view of a tensor's data on the heap (no copy). */
  typedArrayFromHeap(t: tf.TensorInfo): tf.TypedArray;
}

const wasmBackend = () => tf.backend() as unknown as WasmBackend;

/**
 * A float32 tensor's data as a view of the WASM heap (no copy). Take it right before use: any
 * allocation may grow the heap, which detaches earlier views.
 */
export function heapFloat32(t: tf.Tensor): Float32Array {
  if (t.dtype !== 'float32' || tf.getBackend() !== 'wasm') throw new Error(`heapFloat32 needs a float32 tensor on wasm, got ${t.dtype} on ${tf.getBackend()}`);
  return wasmBackend().typedArrayFromHeap(t) as Float32Array;
}

/** A tensor's byte offset in the WASM heap (what the SIMD kernels take; stable when the heap grows). */
export function heapOffset(t: tf.TensorInfo): number {
  const entry = wasmBackend().dataIdMap.get(t.dataId);
  if (!entry) throw new Error('heapOffset: the tensor has no data on the wasm backend');
  return entry.memoryOffset;
}

/** Whether no other tensor shares this tensor's buffer (WASM's Reshape, Identity and Cast share). */
export function ownsBuffer(t: tf.Tensor): boolean {
  return wasmBackend().dataIdMap.get(t.dataId)?.refCount === 1;
}

/** An uninitialised float32 tensor on the WASM heap (no JS-side zeros, no copy). */
export function allocateHeap(shape: number[]): tf.Tensor {
  return tf.engine().makeTensorFromTensorInfo(wasmBackend().makeOutput(shape, 'float32'));
}
