/**
 * tf.profile's peak tensor bytes for a call of any length. tfjs takes the peak as
 * Math.max(...kernels), which overflows the call stack past ~10⁵ kernels (a step with the estimated
 * Poisson source at d = 10⁶ runs that many): then the peak is read off the same kernel records by
 * a loop. A RangeError from the call itself (the engine still profiling) is rethrown.
 */
import * as tf from '@tensorflow/tfjs';

interface ProfileState {
  profiling: boolean;
  activeProfile: { kernels: { totalBytesSnapshot: number }[] };
}

export async function profilePeakBytes(f: () => void): Promise<number> {
  try {
    return (await tf.profile(f)).peakBytes;
  } catch (e) {
    const state = (tf.engine() as unknown as { state: ProfileState }).state;
    if (!(e instanceof RangeError) || state.profiling) throw e;
    let peak = 0;
    for (const k of state.activeProfile.kernels) peak = Math.max(peak, k.totalBytesSnapshot);
    return peak;
  }
}
