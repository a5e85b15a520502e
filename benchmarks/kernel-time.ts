/**
 * Kernel count and kernel time of a tf.profile result, in all and by kernel. Ops with a
 * hand-written gradient (engine/custom-op.ts, tf.customGrad) appear as one entry that encloses the
 * kernels they run, which appear too: only registered kernels are counted. Time is null where a
 * backend cannot time its kernels.
 */
import * as tf from '@tensorflow/tfjs';

type Profile = Awaited<ReturnType<typeof tf.profile>>;

export interface KernelRow {
  kernel: string;
  count: number;
  ms: number | null;
}

/** Registered kernels of the profile, with their times (null where the backend gave none). */
async function timedKernels(prof: Profile): Promise<{ name: string; ms: number | null }[]> {
  const kernels = prof.kernels.filter((k) => tf.getKernel(k.name, tf.getBackend()) !== undefined);
  const times = await Promise.all(kernels.map((k) => Promise.resolve(k.kernelTimeMs)));
  return kernels.map((k, i) => ({ name: k.name, ms: typeof times[i] === 'number' ? (times[i] as number) : null }));
}

const total = (ms: (number | null)[]) => (ms.every((t) => t !== null) ? (ms as number[]).reduce((a, b) => a + b, 0) : null);

export async function kernelTime(prof: Profile): Promise<{ kernels: number; ms: number | null }> {
  const timed = await timedKernels(prof);
  return { kernels: timed.length, ms: total(timed.map((k) => k.ms)) };
}

/** One row per kernel name: how often it ran and its summed time, the longest first (then the most frequent). */
export async function kernelsByName(prof: Profile): Promise<KernelRow[]> {
  const groups = new Map<string, (number | null)[]>();
  for (const k of await timedKernels(prof)) groups.set(k.name, [...(groups.get(k.name) ?? []), k.ms]);
  return [...groups]
    .map(([kernel, ms]) => ({ kernel, count: ms.length, ms: total(ms) }))
    .sort((a, b) => (b.ms ?? 0) - (a.ms ?? 0) || b.count - a.count || a.kernel.localeCompare(b.kernel));
}
