/**
 * Kernel overrides for the WASM backend.
 *
 * Identity: the tape saves every input a gradient needs through tf.clone, which runs the Identity
 * kernel, and WASM's Identity copies the buffer. For a 1e6-dimensional input batch and first-layer
 * weight that is ~1 GB of copies per step. tfjs tensors are immutable (Variable.assign swaps the
 * data id), so sharing the buffer with a reference count, as WASM's own Reshape does, is safe.
 */
import * as tf from '@tensorflow/tfjs';

interface RefCountingBackend {
  incRef(dataId: object): void;
}

let done = false;

export function registerWasmKernelOverrides(): void {
  if (done) return;
  done = true;
  tf.unregisterKernel('Identity', 'wasm');
  tf.registerKernel({
    kernelName: 'Identity',
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend }) => {
      const x = inputs.x as tf.TensorInfo;
      (backend as unknown as RefCountingBackend).incRef(x.dataId);
      return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
    },
  });
}
