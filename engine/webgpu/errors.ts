/**
 * GPU errors are errors on webgpu. A WebGPU validation or out-of-memory error is reported
 * asynchronously through the device's `uncapturederror` event, and tfjs ignores it, leaving wrong
 * values behind. Here the first such error is kept, and every later read or kernel throws it: an
 * out-of-memory one as the RangeError "out of memory: …" that wasm's allocation guard throws, so that
 * a training run ends as `oom` with the steps it timed, as it does on wasm.
 */
/** The first uncaptured GPU error (validation, out of memory, internal) on the tfjs device. */
let gpuError: string | undefined;
let gpuOutOfMemory = false;
const watchedDevices = new WeakSet<object>();

export function watchDevice(device: unknown): void {
  const d = device as { addEventListener?: (t: string, f: (e: { error?: { message?: string; constructor?: { name?: string } }; preventDefault?: () => void }) => void) => void };
  if (!d || watchedDevices.has(d) || typeof d.addEventListener !== 'function') return;
  watchedDevices.add(d);
  d.addEventListener('uncapturederror', (e) => {
    if (gpuError === undefined) {
      gpuError = (e.error?.message ?? 'unknown error').split('\n')[0];
      const OutOfMemory = (globalThis as unknown as { GPUOutOfMemoryError?: new (message: string) => object }).GPUOutOfMemoryError;
      gpuOutOfMemory = (OutOfMemory !== undefined && e.error instanceof OutOfMemory) || e.error?.constructor?.name === 'GPUOutOfMemoryError';
    }
    e.preventDefault?.();
  });
}

export function throwIfGpuFailed(): void {
  if (gpuError && gpuOutOfMemory) throw new RangeError(`out of memory: webgpu: the GPU could not allocate (${gpuError}); results are invalid`);
  if (gpuError) throw new Error(`webgpu: the GPU rejected work, results are invalid: ${gpuError}`);
}

/** Forgets the error kept: for a test that raised one on purpose, on a device that is still sound. */
export function forgetGpuErrorForTests(): void {
  gpuError = undefined;
  gpuOutOfMemory = false;
}
