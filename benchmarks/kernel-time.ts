/**
 * Kernel count and kernel time of a tf.profile result. Ops with a hand-written gradient
 * (engine/custom-op.ts, tf.customGrad) appear as one entry that encloses the kernels they run,
 * which appear too: only registered kernels are counted. Time is null where a backend cannot time
 * its kernels.
 */
import * as tf from '@tensorflow/tfjs';

export async function kernelTime(prof: Awaited<ReturnType<typeof tf.profile>>): Promise<{ kernels: number; ms: number | null }> {
  const kernels = prof.kernels.filter((k) => tf.getKernel(k.name, tf.getBackend()) !== undefined);
  const times = await Promise.all(kernels.map((k) => Promise.resolve(k.kernelTimeMs)));
  const ms = times.every((t) => typeof t === 'number') ? (times as number[]).reduce((a, b) => a + b, 0) : null;
  return { kernels: kernels.length, ms };
}
