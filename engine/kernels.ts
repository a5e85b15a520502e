/**
 * Kernel overrides for the WASM backend.
 *
 * Identity: the tape saves every input a gradient needs through tf.clone, which runs the Identity
 * kernel, and WASM's Identity copies the buffer. For a 1e6-dimensional input batch and first-layer
 * weight that is ~1 GB of copies per step. tfjs tensors are immutable (Variable.assign swaps the
 * data id), so sharing the buffer with a reference count, as WASM's own Reshape does, is safe.
 *
 * Cast to the same dtype: every stock Mul/Div gradient casts its saved operand to float32, which
 * on WASM is another full copy. Same-dtype casts share the buffer too; real casts are unchanged.
 */
import * as tf from '@tensorflow/tfjs';

interface RefCountingBackend {
  incRef(dataId: object): void;
}

let done = false;

function share(x: tf.TensorInfo, backend: unknown): tf.TensorInfo {
  (backend as RefCountingBackend).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

export function registerWasmKernelOverrides(): void {
  if (done) return;
  done = true;
  tf.unregisterKernel('Identity', 'wasm');
  tf.registerKernel({
    kernelName: 'Identity',
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend }) => share(inputs.x as tf.TensorInfo, backend),
  });
  const stockCast = tf.getKernel('Cast', 'wasm')!;
  tf.unregisterKernel('Cast', 'wasm');
  tf.registerKernel({
    ...stockCast,
    kernelFunc: (args) => {
      const x = args.inputs.x as tf.TensorInfo;
      return (args.attrs as { dtype: string }).dtype === x.dtype ? share(x, args.backend) : stockCast.kernelFunc(args);
    },
  });
}
