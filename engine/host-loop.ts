/**
 * Fused loops over tensors in host memory. On wasm each elementwise kernel is a full pass over its
 * operands (~1 ns per element, and there is no kernel fusion), so a chain of a dozen cheap ops on
 * an [N, d] constant such as a PDE's source costs a dozen passes; one JS loop over heap views does
 * the same arithmetic in one. The outputs have no gradient, so loops run only where nothing is
 * being recorded (a PDE's source is data, but the gPINN variants differentiate it); GPU backends
 * keep their data on the device. Callers keep a tf-op path for both cases.
 */
import * as tf from '@tensorflow/tfjs';
import { allocateHeap, heapFloat32 } from './wasm-heap.ts';
import { isRecording } from './untaped.ts';

/** Whether a host loop can run here: tensors in host memory (wasm) and no gradient tape recording. */
export const hostLoopsAvailable = (): boolean => tf.getBackend() === 'wasm' && !isRecording();

/**
 * Allocate float32 outputs of the given shapes and run `body` on views of the inputs' and outputs'
 * data (no copies). The views are taken after every allocation (growing the heap detaches views).
 */
export function hostLoop(inputs: tf.Tensor[], outShapes: number[][], body: (ins: Float32Array[], outs: Float32Array[]) => void): tf.Tensor[] {
  if (!hostLoopsAvailable()) throw new Error(`hostLoop needs the wasm backend (${tf.getBackend()} here) and no gradient tape recording`);
  const outs = outShapes.map((s) => allocateHeap(s));
  body(inputs.map(heapFloat32), outs.map(heapFloat32));
  return outs;
}
