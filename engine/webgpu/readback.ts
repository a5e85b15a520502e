/**
 * Reading values back from the GPU in Node (tfjs-backend-webgpu 4.22 on dawn.node).
 *
 * Synchronous read-back. tfjs-backend-webgpu 4.22 implements `readSync` (behind
 * `dataSync`, `arraySync`, `bufferSync`) by drawing the GPU buffer into an `OffscreenCanvas`, which
 * Node does not have, so every `dataSync()` on webgpu throws "OffscreenCanvas is not defined".
 * Here `readSync` is replaced (for this process only) by the same copy-to-a-staging-buffer path as
 * the backend's own async `read`, made synchronous by driving Dawn's event loop by hand: dawn.node
 * completes `mapAsync` from a callback it schedules with the global `setImmediate` (its
 * AsyncRunner runs `wgpuInstanceProcessEvents` there). We capture that callback once at start-up
 * and, after queuing the copy and `mapAsync`, call it until the staging buffer is mapped. Dawn only
 * reports the buffer mapped after the GPU has finished the queued work, so the values are exactly
 * those `await tensor.data()` would return. If a future dawn.node schedules differently, no
 * callback is captured and `readSync` throws an error that says to use `await tensor.data()`;
 * it never returns data it did not read.
 *
 * Reading later (`readLater`): the copy back is queued when asked for and waited for when the
 * values are needed, so a training loop can read step s's loss while step s + 1 is queued behind it.
 */
import * as tf from '@tensorflow/tfjs';
import { throwIfGpuFailed } from './errors.ts';

export type Fn = (...args: unknown[]) => unknown;
export interface GPUBufferLike {
  readonly size: number;
  readonly mapState: 'unmapped' | 'pending' | 'mapped';
  mapAsync(mode: number, offset?: number, size?: number): Promise<void>;
  getMappedRange(): ArrayBuffer;
  unmap(): void;
}

interface TensorData {
  values?: tf.backend_util.BackendValues | null;
  dtype: tf.DataType;
  shape: number[];
  resource: GPUBufferLike | null;
  complexTensorInfos?: { real: { dataId: object }; imag: { dataId: object } };
}
export interface WebGPUBackendLike {
  tensorMap: { get(id: object): TensorData };
  queue: { writeBuffer(b: GPUBufferLike, offset: number, data: ArrayBufferView): void };
  bufferManager: { acquireBuffer(size: number, usage: number): GPUBufferLike; releaseBuffer(b: GPUBufferLike): void };
  commandEncoder: { copyBufferToBuffer(s: GPUBufferLike, so: number, d: GPUBufferLike, doff: number, n: number): void };
  ensureCommandEncoderReady(): void;
  endComputePassEncoder(): void;
  submitQueue(): void;
  convertAndCacheOnCPU(id: object, v: tf.backend_util.BackendValues): void;
  readSync(id: object): tf.backend_util.BackendValues;
}

/** dawn.node's ProcessEvents callback, captured from its own call to `setImmediate`. */
let dawnTick: Fn | undefined;
/** What the last readSync waited for (for tests and diagnostics). */
export const syncReadStats = { reads: 0, ticks: 0 };

const isNativeAnonymous = (fn: unknown): fn is Fn =>
  typeof fn === 'function' && fn.name === '' && /\{\s*\[native code\]\s*\}\s*$/.test(Function.prototype.toString.call(fn));

/**
 * Runs `body` with `setImmediate` wrapped so that a native callback it schedules (Dawn's event
 * pump) is captured. `swallow`: keep captured callbacks from the real setImmediate; they are
 * returned, and the caller must pass the last one on.
 */
function withCapturedImmediates<T>(swallow: boolean, body: () => T): { result: T; captured: Fn[] } {
  const g = globalThis as unknown as { setImmediate: Fn };
  const real = g.setImmediate;
  const captured: Fn[] = [];
  const wrapper = Object.assign(
    (fn: unknown, ...args: unknown[]) => {
      if (isNativeAnonymous(fn)) {
        captured.push(fn);
        if (swallow) return { ref: () => undefined, unref: () => undefined, hasRef: () => false };
      }
      return real(fn, ...args);
    },
    real,
  );
  g.setImmediate = wrapper;
  try {
    return { result: body(), captured };
  } finally {
    g.setImmediate = real;
  }
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));
const READ_TIMEOUT_MS = 600_000;

/** A `mapAsync` for reading under way, and the event pump Dawn scheduled for it, held back until `waitMapped`. */
interface MapStarted {
  captured: Fn[];
  failed: () => unknown;
}

/** Starts mapping `buffer` for reading; `waitMapped` finishes it. */
function startMapRead(buffer: GPUBufferLike): MapStarted {
  const MAP_READ = (globalThis as unknown as { GPUMapMode: { READ: number } }).GPUMapMode.READ;
  let failed: unknown;
  const { result: promise, captured } = withCapturedImmediates(true, () => buffer.mapAsync(MAP_READ));
  promise.catch((e) => (failed = e));
  return { captured, failed: () => failed };
}

/** Waits synchronously, by pumping Dawn's events, until the mapping `startMapRead` began is done. */
function waitMapped(buffer: GPUBufferLike, { captured, failed }: MapStarted): void {
  const tick = captured.at(-1) ?? dawnTick;
  if (captured.length) dawnTick = captured.at(-1);
  if (!tick) {
    throw new Error("webgpu: synchronous read-back is unavailable (dawn.node's event pump was not captured); read with 'await tensor.data()' instead");
  }
  const pending: Fn[] = [];
  const deadline = Date.now() + READ_TIMEOUT_MS;
  let waitMs = 0;
  try {
    while (buffer.mapState === 'pending') {
      // Reschedules made inside the pump are held back and one is passed on below, so that other
      // pending GPU promises keep being served without piling up duplicate pumps.
      pending.push(...withCapturedImmediates(true, () => tick()).captured);
      syncReadStats.ticks++;
      if (buffer.mapState !== 'pending') break;
      if (Date.now() > deadline) throw new Error(`webgpu: read-back did not complete within ${READ_TIMEOUT_MS / 1000} s`);
      if (waitMs > 0) Atomics.wait(sleeper, 0, 0, waitMs);
      waitMs = Math.min(0.5, waitMs + 0.02);
    }
  } finally {
    const last = pending.at(-1) ?? (captured.length ? tick : undefined);
    if (last) setImmediate(last);
  }
  if (buffer.mapState !== 'mapped') {
    throw new Error(`webgpu: mapping the read-back buffer failed${failed() ? ` (${String(failed())})` : ''}`);
  }
}

/**
 * Runs `body` (at start-up: creating a throw-away device), capturing the event pump dawn.node
 * schedules meanwhile, which the synchronous reads then drive.
 */
export function captureDawnPump<T>(body: () => T): T {
  const { result, captured } = withCapturedImmediates(false, body);
  if (captured.length) dawnTick = captured.at(-1);
  return result;
}

/**
 * The first half of a read-back: `src` copied into a staging buffer behind the work queued so far,
 * submitted, and mapped; the returned function waits for the mapping (only that work, not what was
 * queued after this call) and returns the bytes.
 */
function startCopyBack(backend: WebGPUBackendLike, src: GPUBufferLike): () => ArrayBuffer {
  const usage = (globalThis as unknown as { GPUBufferUsage: { COPY_DST: number; MAP_READ: number } }).GPUBufferUsage;
  const staging = backend.bufferManager.acquireBuffer(src.size, usage.COPY_DST | usage.MAP_READ);
  let started: MapStarted;
  try {
    backend.ensureCommandEncoderReady();
    backend.endComputePassEncoder();
    backend.commandEncoder.copyBufferToBuffer(src, 0, staging, 0, src.size);
    backend.submitQueue();
    started = startMapRead(staging);
  } catch (e) {
    backend.bufferManager.releaseBuffer(staging);
    throw e;
  }
  return () => {
    try {
      waitMapped(staging, started);
      throwIfGpuFailed();
      const bytes = staging.getMappedRange().slice(0);
      staging.unmap();
      return bytes;
    } finally {
      if (staging.mapState === 'mapped') staging.unmap();
      backend.bufferManager.releaseBuffer(staging);
    }
  };
}

/** readSync for Node: the backend's own `read` path (staging buffer + map), done synchronously. */
export function readSyncNode(this: WebGPUBackendLike, dataId: object): tf.backend_util.BackendValues {
  const td = this.tensorMap.get(dataId);
  if (td.values != null || td.dtype === 'string') return td.values!;
  let vals: tf.backend_util.BackendValues;
  if (td.dtype === 'complex64') {
    const re = this.readSync(td.complexTensorInfos!.real.dataId) as Float32Array;
    const im = this.readSync(td.complexTensorInfos!.imag.dataId) as Float32Array;
    vals = tf.backend_util.mergeRealAndImagArrays(re, im);
  } else {
    if (!td.resource) throw new Error('webgpu: a tensor with neither values nor a GPU buffer cannot be read');
    vals = tf.util.convertBackendValuesAndArrayBuffer(startCopyBack(this, td.resource)(), td.dtype) as tf.backend_util.BackendValues;
  }
  syncReadStats.reads++;
  this.convertAndCacheOnCPU(dataId, vals);
  return vals;
}

/**
 * A float32 tensor's values, read later: on webgpu the copy back is queued now, behind the work that
 * computes it, and the returned function waits for that work only. A training loop that starts the
 * read of step s's loss before dispatching step s + 1 thus keeps the device busy with step s while
 * the host dispatches step s + 1 (dataSync() then would wait for step s + 1 too, whose kernels were
 * queued before its copy). Elsewhere it is dataSync() when called, so there the tensor must stay
 * alive until then; on webgpu it may go at once (tested).
 */
export function readLater(t: tf.Tensor): () => Float32Array {
  if (tf.getBackend() !== 'webgpu' || t.dtype !== 'float32') return () => t.dataSync() as Float32Array;
  const backend = tf.backend() as unknown as WebGPUBackendLike;
  const td = backend.tensorMap.get(t.dataId);
  if (td.values != null || !td.resource) return () => t.dataSync() as Float32Array;
  const bytes = startCopyBack(backend, td.resource);
  const n = t.size;
  let values: Float32Array | undefined;
  return () => {
    if (!values) {
      values = new Float32Array(bytes(), 0, n);
      syncReadStats.reads++;
    }
    return values;
  };
}
