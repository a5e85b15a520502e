/**
 * GPU errors are errors on webgpu. A WebGPU validation or out-of-memory error is reported
 * asynchronously through the device's `uncapturederror` event, and tfjs ignores it, leaving wrong
 * values behind. Here the first such error is kept, and every later read or kernel throws it.
 */
/** The first uncaptured GPU error (validation, out of memory, internal) on the tfjs device. */
let gpuError: string | undefined;
const watchedDevices = new WeakSet<object>();

export function watchDevice(device: unknown): void {
  const d = device as { addEventListener?: (t: string, f: (e: { error?: { message?: string }; preventDefault?: () => void }) => void) => void };
  if (!d || watchedDevices.has(d) || typeof d.addEventListener !== 'function') return;
  watchedDevices.add(d);
  d.addEventListener('uncapturederror', (e) => {
    gpuError ??= (e.error?.message ?? 'unknown error').split('\n')[0];
    e.preventDefault?.();
  });
}

export function throwIfGpuFailed(): void {
  if (gpuError) throw new Error(`webgpu: the GPU rejected work, results are invalid: ${gpuError}`);
}
