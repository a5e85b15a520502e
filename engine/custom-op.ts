/**
 * An op with a hand-written gradient, recorded on the tape as one node. Unlike tf.customGrad, each
 * input's gradient is a thunk that the backward pass calls only for inputs on the path to what is
 * being differentiated: the wide layer's input gradient would be an [N, d] tensor nobody asked for.
 * Inside `forward` nothing is taped; `save` keeps tensors for the backward pass (inputs created in
 * the caller's scope are otherwise released before it runs).
 */
import * as tf from '@tensorflow/tfjs';

type Save = (tensors: tf.Tensor[]) => void;

export interface CustomOp<T extends tf.Tensor> {
  inputs: Record<string, tf.Tensor>;
  forward(save: Save): T;
  /** Gradient thunks per input name, from the output's gradient and the saved tensors. */
  backward(dy: tf.Tensor, saved: tf.Tensor[]): Record<string, () => tf.Tensor>;
}

interface EngineInternals {
  runKernelFunc(p: { forwardFunc: (backend: unknown, save: Save) => tf.Tensor; backwardsFunc: CustomOp<tf.Tensor>['backward']; inputs: Record<string, tf.Tensor> }): tf.Tensor;
}

export function customOp<T extends tf.Tensor>(op: CustomOp<T>): T {
  const engine = tf.engine() as unknown as EngineInternals;
  return engine.runKernelFunc({ forwardFunc: (_, save) => op.forward(save), backwardsFunc: op.backward, inputs: op.inputs }) as T;
}
