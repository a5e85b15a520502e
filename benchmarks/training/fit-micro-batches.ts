/**
 * The micro-batch count a step fits in, found by trying. The memory plan's count bounds the input
 * batch only (memory-plan.ts); with the count left to it on wasm, a try that runs out of heap
 * restarts the engine on a fresh heap (tfjs's state after a refused allocation cannot be trusted,
 * and WASM memory never shrinks) and the next count of microBatchCounts is tried. A try builds
 * everything it uses, since a restart invalidates every tensor made before.
 */
import type { RunConfig } from './run-config.ts';
import { microBatchCounts } from './memory-plan.ts';
import { outOfMemoryBehind } from '../../engine/errors.ts';
import { restartWasmEngine } from '../../engine/backend.ts';

export interface Fitted<T> {
  value: T;
  microBatches: number;
  /** The counts that ran out of heap before, in the order tried. */
  outOfHeap: number[];
}

export async function fitMicroBatches<T>(cfg: RunConfig, backend: string, attempt: (microBatches: number) => Promise<T>): Promise<Fitted<T>> {
  const counts = microBatchCounts(cfg, backend);
  const outOfHeap: number[] = [];
  for (const microBatches of counts) {
    const last = microBatches === counts[counts.length - 1];
    const done = await attempt(microBatches).then(
      (value) => ({ value }),
      (e: unknown) => {
        if (last || !outOfMemoryBehind(e)) throw e;
        return null;
      },
    );
    if (done) return { value: done.value, microBatches, outOfHeap };
    outOfHeap.push(microBatches);
    await restartWasmEngine(); // here the failed try is out of reach, so its heap can be collected
  }
  throw new Error('unreachable: the last micro-batch count returns or throws');
}

/** What a record says of the counts that ran out ('' where none did). */
export function outOfHeapNote({ microBatches, outOfHeap }: Fitted<unknown>): string {
  if (!outOfHeap.length) return '';
  const plural = outOfHeap.length > 1 || outOfHeap[0] > 1 ? 'es' : '';
  return `the first step ran out of WASM heap in ${outOfHeap.join(', then ')} micro-batch${plural}; ${microBatches} fit`;
}
