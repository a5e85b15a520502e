/**
 * tf.profile for a call of any length. tfjs takes the peak as Math.max(...kernels), which overflows
 * the call stack past ~10⁵ kernels (a step with the estimated Poisson source at d = 10⁶ runs that
 * many), after the call itself has run: then the profile is finished here from the same kernel
 * records, the peak by a loop. A RangeError from the call itself (the engine still profiling) is
 * rethrown.
 */
import * as tf from '@tensorflow/tfjs';

export type Profile = Awaited<ReturnType<typeof tf.profile>>;

interface ProfileState {
  profiling: boolean;
  activeProfile: Profile;
}

export async function profile(f: () => void): Promise<Profile> {
  const state = (tf.engine() as unknown as { state: ProfileState }).state;
  const before = tf.memory();
  let prof: Profile;
  try {
    prof = await tf.profile(f);
  } catch (e) {
    if (!(e instanceof RangeError) || state.profiling) throw e;
    // What tf.profile would return: its own record, finished.
    prof = state.activeProfile;
    prof.peakBytes = 0;
    for (const k of prof.kernels) {
      prof.peakBytes = Math.max(prof.peakBytes, k.totalBytesSnapshot);
      k.kernelTimeMs = await k.kernelTimeMs;
      k.extraInfo = await k.extraInfo;
    }
    const after = tf.memory();
    prof.newBytes = after.numBytes - before.numBytes;
    prof.newTensors = after.numTensors - before.numTensors;
  }
  // The engine keeps its record until the next profile: a copy goes to the caller, and the engine lets
  // go of the kernels (10⁵ of them after a long step, for the rest of a run).
  const out = { ...prof, kernels: prof.kernels, kernelNames: prof.kernelNames };
  state.activeProfile.kernels = [];
  return out;
}

/**
 * A backend's `time(f)` (what tf.profile times each kernel with) that throws f's error synchronously.
 * tfjs's backends make `time` async, so a kernel's throw became a rejected promise nobody awaits (in
 * Node, a fatal unhandled rejection) and tf.profile failed on the kernel's missing outputs instead.
 */
export function timeRethrows(time: (f: () => void) => Promise<unknown>): (f: () => void) => Promise<unknown> {
  return function (this: unknown, f: () => void) {
    let thrown: { error: unknown } | undefined;
    const timing = time.call(this, () => {
      try {
        f();
      } catch (error) {
        thrown = { error };
        throw error;
      }
    });
    if (thrown) {
      timing.catch(() => {}); // the same error, already on its way up
      throw thrown.error;
    }
    return timing;
  };
}
