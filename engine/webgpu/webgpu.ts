/**
 * The `webgpu` backend in Node.
 *
 * WebGPU comes from Dawn through the optional npm package `webgpu` (a prebuilt native module). On
 * Linux Dawn drives Vulkan: a GPU's own Vulkan driver (NVIDIA's, Mesa's radv/anv), or, on a machine
 * without a GPU, Mesa's lavapipe (a Vulkan driver that runs on the CPU; Mesa >= 25, see
 * scripts/setup-webgpu.sh).
 *
 * Every kernel runs on the GPU: tfjs-webgpu's CPU forwarding of small kernels is switched off.
 *
 * Workaround — AddN with many inputs. tfjs-webgpu 4.22's AddN binds every input as a storage
 * buffer in one shader, but the device it creates allows 8 storage buffers per shader, so AddN of
 * 8 or more tensors (Taylor-mode jets of order ≥ 4 sum that many) fails WebGPU validation and its
 * result is silently left at zero. The AddN kernel is re-registered to sum in chunks that fit.
 *
 * Uploads through queue.writeBuffer (see `uploadByWriteBuffer`): tfjs-webgpu's own path makes and
 * destroys a mapped staging buffer per upload, which on an H100's driver cost a third of a step.
 *
 * GPU errors are errors (engine/webgpu/errors.ts): the first one the device reports is thrown by
 * every later kernel and read. `dataSync()` works in Node through the read-back of
 * engine/webgpu/readback.ts, installed here as the backend's `readSync`.
 *
 * Yield to the event loop. dawn.node releases a GPU object (tfjs makes a bind group per kernel) in
 * a Node-API finalizer, and Node runs those only when the event loop turns. Code that runs
 * thousands of kernels in one synchronous stretch therefore holds every bind group of that stretch;
 * with Mesa's lavapipe each one is a memory mapping, and at the kernel's vm.max_map_count (65530)
 * lavapipe crashes with SIGSEGV (about 64 000 kernels). Loops on this backend must let the event
 * loop turn now and then: `await tensor.data()`, or `await new Promise((r) => setImmediate(r))`.
 * A guard turns the crash into an error that says so (see `guardSyncStretch`).
 *
 * Errors under tf.profile. The backend's `time` (what tf.profile and a DEBUG run time kernels with)
 * is async and calls the kernel inside, so a kernel's throw became a rejected promise nobody awaits
 * and tf.profile failed later with "Cannot read properties of undefined (reading 'map')". Here the
 * kernel's own error is thrown where it happened (`timeRethrows`, engine/profile.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { UsageError } from '../errors.ts';
import { timeRethrows } from '../profile.ts';
import { captureDawnPump, readSyncNode, type Fn, type WebGPUBackendLike } from './readback.ts';
import { throwIfGpuFailed, watchDevice } from './errors.ts';

interface AdapterLike {
  info?: { vendor?: string; architecture?: string; device?: string; description?: string };
  requestDevice(desc?: object): Promise<{ destroy(): void }>;
}
interface GPULike {
  requestAdapter(o?: object): Promise<AdapterLike | null>;
}

/** GPU programs dispatched so far (tfjs kernels and our WGSL programs; no-op kernels such as Reshape dispatch none). */
export const dispatchStats = { dispatches: 0 };

/** Kernels dispatched since the event loop last turned. */
let sinceYield = 0;
/** Memory mappings at the previous check (of this or an earlier stretch). */
let lastMaps: number | undefined;
let tripped: string | undefined;
const MAPS_CHECK_EVERY = 2048;

function mapUsage(): { maps: number; limit: number } | undefined {
  try {
    const limit = Number(readFileSync('/proc/sys/vm/max_map_count', 'utf8'));
    const maps = readFileSync('/proc/self/maps', 'utf8').split('\n').length - 1;
    return limit > 0 && maps > 0 ? { maps, limit } : undefined;
  } catch {
    return undefined; // not Linux: no such limit to guard
  }
}

/**
 * Counts kernels between event-loop turns; every 2048 kernels without a turn it checks the
 * process's memory mappings and throws before lavapipe would crash on vm.max_map_count. Freed bind
 * groups go back to Dawn's descriptor pools, which keep their mappings for reuse, so the count is a
 * high-water mark: near the limit it trips only while it is still growing (since the last check).
 */
function guardSyncStretch(): void {
  throwIfGpuFailed();
  if (tripped) throw new Error(tripped); // until the event loop turns, every further kernel would add to it
  if (sinceYield++ === 0) {
    setImmediate(() => {
      sinceYield = 0;
      tripped = undefined;
    });
  } else if (sinceYield % MAPS_CHECK_EVERY === 0) {
    const u = mapUsage();
    if (!u) return;
    const growing = lastMaps === undefined || u.maps - lastMaps > MAPS_CHECK_EVERY / 8;
    lastMaps = u.maps;
    // Within one more interval of growth (~1 mapping per kernel) of the limit: trip in any case.
    if ((growing && u.maps > 0.85 * u.limit) || u.maps > u.limit - 2.5 * MAPS_CHECK_EVERY) {
      tripped =
        `webgpu: ${sinceYield} kernels ran without the event loop turning, and the process holds ${u.maps} of at most ${u.limit} memory mappings; ` +
        'dawn.node frees GPU objects only when the event loop runs: await a read (tensor.data()) or setImmediate between steps';
      throw new Error(tripped);
    }
  }
}

type TensorInfo = { dataId: object; shape: number[]; dtype: tf.DataType };
type KernelArgs = { inputs: unknown; backend: unknown; attrs?: unknown };
type KernelFn = (args: KernelArgs) => TensorInfo | TensorInfo[];

/** AddN in chunks of at most (storage-buffer limit − 1) inputs; the output takes the last slot. */
function chunkedAddN(inner: KernelFn): KernelFn {
  const addN = (args: KernelArgs): TensorInfo => {
    const inputs = args.inputs as TensorInfo[];
    const backend = args.backend as { device: { limits: { maxStorageBuffersPerShaderStage: number } }; disposeData(id: object): void };
    const max = Math.max(2, backend.device.limits.maxStorageBuffersPerShaderStage - 1);
    if (inputs.length <= max) return inner(args) as TensorInfo;
    const partial: TensorInfo[] = [];
    for (let i = 0; i < inputs.length; i += max) partial.push(inner({ ...args, inputs: inputs.slice(i, i + max) }) as TensorInfo);
    const out = addN({ ...args, inputs: partial });
    for (const p of partial) backend.disposeData(p.dataId);
    return out;
  };
  return addN;
}

/**
 * uploadToGPU through queue.writeBuffer. tfjs-webgpu 4.22 uploads values from the CPU (every
 * number operand becomes one: tf.mul(x, 2), Adam's factors; ~90 per training step) through a new
 * mapped staging buffer and a copy that also ends the compute pass, and destroys the staging
 * buffer after the next submit. On an H100 with NVIDIA's Vulkan driver the buffer creations alone
 * took ~34 ms of a ~150 ms step (CPU profile on the device). writeBuffer stages inside Dawn, as
 * tfjs already does for every kernel's uniforms. It is ordered before the command buffer being
 * encoded, which is safe: the destination comes from the free pool, and tfjs returns a buffer there
 * only when no unsubmitted command uses it (disposeData defers the rest until the submit).
 */
function uploadByWriteBuffer(upload: (this: WebGPUBackendLike, id: object) => void) {
  return function (this: WebGPUBackendLike, dataId: object): void {
    const data = this.tensorMap.get(dataId);
    const values = data.values;
    const float = data.dtype === 'float32';
    const size = tf.util.sizeFromShape(data.shape);
    if (data.resource != null || values == null || size === 0 || !(float || data.dtype === 'int32' || data.dtype === 'bool')) {
      upload.call(this, dataId);
      return;
    }
    // 4 bytes per element for every dtype here (bool is stored as int32 on the GPU).
    const words = float
      ? values instanceof Float32Array ? values : new Float32Array(values as ArrayLike<number>)
      : values instanceof Int32Array ? values : Int32Array.from(values as ArrayLike<number>);
    const usage = (globalThis as unknown as { GPUBufferUsage: Record<'STORAGE' | 'COPY_SRC' | 'COPY_DST', number> }).GPUBufferUsage;
    const buffer = this.bufferManager.acquireBuffer(4 * size, usage.STORAGE | usage.COPY_SRC | usage.COPY_DST); // tfjs's usage
    this.queue.writeBuffer(buffer, 0, words);
    data.resource = buffer;
    data.values = null; // as tfjs: once uploaded, the values live on the GPU only
  };
}

/**
 * The most bytes one storage binding may hold on the active webgpu device (a shader binds whole
 * tensors: 128 MiB under lavapipe, 2 GiB or more on an H100), or undefined on other backends.
 */
export function storageBindingBytes(): number | undefined {
  if (tf.getBackend() !== 'webgpu') return undefined;
  const limits = (tf.backend() as unknown as { device?: { limits?: { maxStorageBufferBindingSize?: number } } }).device?.limits;
  return limits?.maxStorageBufferBindingSize || undefined;
}

let kernelsPatched = false;

function patchKernels(): void {
  if (kernelsPatched) return;
  kernelsPatched = true;
  const addN = tf.getKernel('AddN', 'webgpu');
  if (!addN) throw new Error("webgpu: tfjs-backend-webgpu registered no AddN kernel");
  tf.unregisterKernel('AddN', 'webgpu');
  tf.registerKernel({ ...addN, kernelFunc: chunkedAddN(addN.kernelFunc as unknown as KernelFn) as unknown as tf.KernelFunc });
}

/**
 * Installs WebGPU (Dawn) in this Node process, registers tfjs's webgpu backend with the
 * synchronous read-back above, and returns a description of the adapter tfjs will use.
 */
export async function setUpWebgpu(): Promise<string> {
  let mod: { create?: (opts: string[]) => GPULike; globals?: object };
  try {
    const spec = 'webgpu'; // optional dependency: resolved at run time only
    mod = (await import(spec)) as typeof mod;
  } catch (e) {
    throw new UsageError(
      `backend 'webgpu' needs the npm package 'webgpu' (Dawn for Node): npm install webgpu (${(e as Error).message.split('\n')[0]})`,
    );
  }
  if (!mod.create || !mod.globals) throw new UsageError("backend 'webgpu': the 'webgpu' package does not export create/globals");
  const g = globalThis as Record<string, unknown>;
  Object.assign(g, mod.globals);
  const nav = g.navigator as { gpu?: GPULike } | undefined;
  if (!nav?.gpu) {
    const gpu = mod.create([]);
    if (nav) Object.defineProperty(nav, 'gpu', { value: gpu, configurable: true, writable: true });
    else Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  }
  const gpu = (g.navigator as { gpu: GPULike }).gpu;
  // tfjs-backend-webgpu registers itself at import time only if navigator.gpu exists by then.
  const webgpu = await import('@tensorflow/tfjs-backend-webgpu');
  const proto = (webgpu as unknown as { WebGPUBackend: { prototype: WebGPUBackendLike } }).WebGPUBackend.prototype;
  proto.readSync = readSyncNode;
  const up = proto as unknown as { uploadToGPU: (this: WebGPUBackendLike, id: object) => void };
  up.uploadToGPU = uploadByWriteBuffer(up.uploadToGPU);
  const p = proto as unknown as { recordAndSubmit: Fn; read: (id: object) => Promise<unknown>; device: unknown };
  const record = p.recordAndSubmit;
  p.recordAndSubmit = function (this: { device: unknown }, ...args: unknown[]) {
    watchDevice(this.device);
    guardSyncStretch();
    dispatchStats.dispatches++;
    return record.apply(this, args);
  };
  const timed = proto as unknown as { time: (f: () => void) => Promise<unknown> };
  timed.time = timeRethrows(timed.time);
  const read = p.read;
  p.read = async function (this: unknown, dataId: object) {
    const values = await read.call(this, dataId);
    throwIfGpuFailed();
    return values;
  };
  patchKernels();
  // tfjs-webgpu runs some small kernels (< 1000 elements, inputs not yet on the GPU) with its CPU
  // implementations. Off: on this backend every kernel runs on the GPU, so a webgpu test or
  // benchmark measures webgpu kernels only.
  tf.env().set('WEBGPU_CPU_FORWARD', false);

  // Same request as tfjs's backend factory, so this is the adapter it will pick.
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) {
    throw new UsageError("backend 'webgpu': no WebGPU adapter found (no GPU Vulkan driver, and no software driver such as Mesa's lavapipe: run scripts/setup-webgpu.sh)");
  }
  // A throw-away device: its creation makes dawn.node schedule its event pump, which we capture.
  (await captureDawnPump(() => adapter.requestDevice())).destroy();
  const info = adapter.info ?? {};
  return [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' ') || 'unknown adapter';
}
