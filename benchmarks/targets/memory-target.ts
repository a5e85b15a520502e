/**
 * The memory target's row (issue 6, target 4) from a `train` record: the process's RSS peak against
 * 3.5 GB. Records give MB as MiB (2²⁰ bytes); the threshold's GB is 10⁹ bytes.
 */
export interface TargetRow {
  target: string;
  config: string;
  value: number | string;
  threshold: string;
  met: string;
  detail: string;
}

export const MEMORY_THRESHOLD_GB = 3.5;

type MemoryRecord = { status: string; rss_peak_mb: number; wasm_heap_mb: number | null; peak_tensor_mb: number; params: number; step_ms_median: number | null };

export function memoryRow(config: string, rec: MemoryRecord): TargetRow {
  // The peak is the process's resident set: the WASM heap's high-water mark plus what lives outside
  // it (a wide layer's Adam moments). tf.profile's peak is reported too; it counts buffers shared by
  // the tape's clones once per tensor, so it overstates.
  const gb = (rec.rss_peak_mb * 2 ** 20) / 1e9;
  const heap = rec.wasm_heap_mb === null ? '' : `WASM heap ${rec.wasm_heap_mb} MB, `;
  return {
    target: 'memory',
    config,
    value: +gb.toFixed(3),
    threshold: `≤ ${MEMORY_THRESHOLD_GB} GB peak`,
    met: String(rec.status === 'ok' && gb <= MEMORY_THRESHOLD_GB),
    detail: `status ${rec.status}; RSS peak ${rec.rss_peak_mb} MB, ${heap}tensor peak ${rec.peak_tensor_mb.toFixed(0)} MB, ${rec.params} parameters, ${rec.step_ms_median} ms/step`,
  };
}
