/**
 * Kernel count and kernel time of a profiled call, in all and by kernel. Kernels are tfjs's
 * registered kernels (tf.profile; ops with a hand-written gradient, engine/custom-op.ts, appear as
 * one entry that encloses the kernels they run, and only the kernels are counted) and our wasm SIMD
 * kernels called outside any registered kernel (engine/simd/simd.ts directKernel: tf.profile cannot
 * see them, so each call is timed around it; rows `simd:<kernel>`). Time is null where a backend
 * cannot time its kernels.
 */
import * as tf from '@tensorflow/tfjs';
import { timeDirectCalls } from '../engine/simd/simd.ts';
import { profile, type Profile } from '../engine/profile.ts';

export interface KernelRow {
  kernel: string;
  count: number;
  ms: number | null;
}

/** Rows of our SIMD kernels called directly carry this prefix. */
const DIRECT_PREFIX = 'simd:';

export interface KernelProfile {
  /** tf.profile's own result (peak bytes, …). */
  prof: Profile;
  kernels: number;
  ms: number | null;
  /** One row per kernel name: how often it ran and its summed time, the longest first (then the most frequent). */
  byName: KernelRow[];
}

const total = (ms: (number | null)[]) => (ms.every((t) => t !== null) ? (ms as number[]).reduce((a, b) => a + b, 0) : null);

/** Runs f under tf.profile (of any length), with the direct SIMD calls timed too. */
export async function profileKernels(f: () => void): Promise<KernelProfile> {
  const { result: prof, direct } = await timeDirectCalls(() => profile(f));
  const registered = prof.kernels.filter((k) => tf.getKernel(k.name, tf.getBackend()) !== undefined);
  const times = await Promise.all(registered.map((k) => Promise.resolve(k.kernelTimeMs)));
  const groups = new Map<string, (number | null)[]>();
  registered.forEach((k, i) => groups.set(k.name, [...(groups.get(k.name) ?? []), typeof times[i] === 'number' ? (times[i] as number) : null]));
  const byName: KernelRow[] = [
    ...[...groups].map(([kernel, ms]) => ({ kernel, count: ms.length, ms: total(ms) })),
    ...[...direct].map(([name, t]) => ({ kernel: `${DIRECT_PREFIX}${name}`, count: t.count, ms: t.ms })),
  ].sort((a, b) => (b.ms ?? 0) - (a.ms ?? 0) || b.count - a.count || a.kernel.localeCompare(b.kernel));
  return { prof, kernels: byName.reduce((n, r) => n + r.count, 0), ms: total(byName.map((r) => r.ms)), byName };
}
