/**
 * Run a function as if no gradient were being recorded, whatever encloses it.
 *
 * tfjs keeps one tape for a whole `variableGrads` call: every op inside it, nested `tf.grad`
 * included, stays on that tape with its saved inputs until the outer backward pass. For nested
 * backprop at d = 1e4 that is hundreds of MB per sampled dimension. `checkpointed` (operators/)
 * evaluates such work here, off the tape, and recomputes it under its own tape in the backward pass.
 * Inside, nested `tf.grad` calls behave as top-level ones (they dispose what their tape saved).
 * tfjs has no public switch for this, so the engine's three recording fields are set and restored.
 */
import * as tf from '@tensorflow/tfjs';

interface RecordingState {
  gradientDepth: number;
  kernelDepth: number;
  activeTape: unknown[];
}

const recordingState = () => (tf.engine() as unknown as { state: RecordingState }).state;

/** Whether an op run now would be recorded on a gradient tape (the engine's own isTapeOn test). */
export function isRecording(): boolean {
  const state = recordingState();
  return state.gradientDepth > 0 && state.kernelDepth === 0;
}

/** How many gradients enclose the code running now (nested tf.grad / variableGrads calls). */
export function gradientDepth(): number {
  return recordingState().gradientDepth;
}

export function untaped<T>(fn: () => T): T {
  const state = recordingState();
  const saved: RecordingState = { gradientDepth: state.gradientDepth, kernelDepth: state.kernelDepth, activeTape: state.activeTape };
  state.gradientDepth = 0; // no enclosing tape records, and an inner tf.grad starts a fresh one
  state.kernelDepth = 0; // inside a customGrad forward the engine counts itself inside a kernel
  try {
    return fn();
  } finally {
    Object.assign(state, saved);
  }
}
