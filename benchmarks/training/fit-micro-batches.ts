/**
 * The micro-batch count a step fits in, found by trying. The memory plan's count bounds the input
 * batch only (memory-plan.ts); with the count left to it on wasm, a try that runs out of heap
 * restarts the engine on a fresh heap (tfjs's state after a refused allocation cannot be trusted,
 * and WASM memory never shrinks) and the next count of microBatchCounts is tried. A try builds
 * everything it uses, since a restart invalidates every tensor made before. The process's RSS peak
 * then starts again from the RSS left after the restart, so that a run's `rss_peak_mb` is that of the
 * count it kept, not of the heap that ran out (Linux; elsewhere the record says it includes it).
 */
import { writeFileSync } from 'node:fs';
import type { RunConfig } from './run-config.ts';
import { microBatchCounts } from './memory-plan.ts';
import { outOfMemoryBehind } from '../../engine/out-of-memory.ts';
import { restartWasmEngine } from '../../engine/backend.ts';

export interface Fitted<T> {
  value: T;
  microBatches: number;
  /** The counts that ran out of heap before, in the order tried. */
  outOfHeap: number[];
  /** Whether the process's RSS peak still includes a failed try (its reset was refused). */
  peakIncludesFailed: boolean;
}

/**
 * Restarts the process's peak RSS (VmHWM, which getrusage's maxrss reports) from its current RSS:
 * Linux's clear_refs, value 5. False where the system has no such file, refuses the write, or reports
 * a peak that did not come down to about the current RSS (getrusage may keep a larger one of its own).
 */
export function restartPeakRss(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
  } catch {
    return false;
  }
  return process.resourceUsage().maxRSS * 1024 <= process.memoryUsage().rss + 64 * 2 ** 20;
}

export async function fitMicroBatches<T>(cfg: RunConfig, backend: string, attempt: (microBatches: number) => Promise<T>): Promise<Fitted<T>> {
  const counts = microBatchCounts(cfg, backend);
  const outOfHeap: number[] = [];
  let peakIncludesFailed = false;
  for (const microBatches of counts) {
    const last = microBatches === counts[counts.length - 1];
    const done = await attempt(microBatches).then(
      (value) => ({ value }),
      (e: unknown) => {
        if (last || !outOfMemoryBehind(e)) throw e;
        return null;
      },
    );
    if (done) return { value: done.value, microBatches, outOfHeap, peakIncludesFailed };
    outOfHeap.push(microBatches);
    await restartWasmEngine(); // here the failed try is out of reach, so its heap can be collected (and is)
    peakIncludesFailed = !restartPeakRss();
  }
  throw new Error('unreachable: the last micro-batch count returns or throws');
}

/** What a record says of the counts that ran out ('' where none did). */
export function outOfHeapNote({ microBatches, outOfHeap, peakIncludesFailed }: Fitted<unknown>): string {
  if (!outOfHeap.length) return '';
  const plural = outOfHeap.length > 1 || outOfHeap[0] > 1 ? 'es' : '';
  const peak = peakIncludesFailed ? ' (the RSS peak includes the tries that ran out)' : '';
  return `the first step ran out of WASM heap in ${outOfHeap.join(', then ')} micro-batch${plural}; ${microBatches} fit${peak}`;
}
