/**
 * Our WGSL programs on tfjs-webgpu (engine/webgpu/random.ts, -adam.ts, -two-body.ts): a flat index
 * space, `main(index)` once per invocation, 64 invocations to a workgroup, run through the backend's
 * own runWebGPUProgram (its pipeline cache, uniforms, buffer pool, and our dispatch count).
 */
import * as tf from '@tensorflow/tfjs';
// Types only: importing the package registers its backend, which must wait for WebGPU (engine/webgpu/webgpu.ts).
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';

export abstract class FlatProgram implements WebGPUProgram {
  dispatchLayout = { x: [0] }; // flat: main() gets the global invocation index
  workgroupSize: [number, number, number] = [64, 1, 1];
  size = true; // uniforms.size: the output's element count
  dispatch: [number, number, number];

  /** `invocations`: how many main(index) calls (default one per output element). */
  constructor(
    public shaderKey: string,
    public outputShape: number[],
    public variableNames: string[],
    public uniforms: string,
    invocations = tf.util.sizeFromShape(outputShape),
  ) {
    this.dispatch = [Math.ceil(invocations / this.workgroupSize[0]), 1, 1]; // the backend reshapes it past the 65535 limit
  }

  abstract getUserCode(): string;
}

type Uniforms = { type: 'float32' | 'int32' | 'uint32'; data: number[] }[];

interface ProgramAttrs {
  program: FlatProgram;
  uniforms: Uniforms;
}

/**
 * A float32 result of `program` on the webgpu backend; `uniforms` in the order the program declares
 * them. It runs as a registered kernel named after the program's shader key (registered on first
 * use), so tf.profile — and `stde-bench profile` — lists, counts and times it like tfjs's own.
 */
export function runFlatProgram(program: FlatProgram, inputs: tf.Tensor[], uniforms: Uniforms): tf.Tensor {
  if (tf.getBackend() !== 'webgpu') throw new Error(`${program.shaderKey} needs the webgpu backend, not ${tf.getBackend()}`);
  const name = program.shaderKey; // read before the backend appends the shapes to it
  if (!tf.getKernel(name, 'webgpu')) {
    tf.registerKernel({
      kernelName: name,
      backendName: 'webgpu',
      kernelFunc: ({ inputs: byName, attrs, backend }) => {
        const a = attrs as unknown as ProgramAttrs;
        return runFlatProgramInfo(backend, a.program, a.program.variableNames.map((n) => byName[n] as tf.TensorInfo), a.uniforms);
      },
    });
  }
  const byName = Object.fromEntries(program.variableNames.map((n, i) => [n, inputs[i]]));
  return tf.engine().runKernel(name, byName, { program, uniforms } as unknown as tf.NamedAttrMap) as tf.Tensor;
}

/** The program inside a registered kernel: tensor infos in and out, on the backend the kernel was given. */
export function runFlatProgramInfo(backend: unknown, program: FlatProgram, inputs: tf.TensorInfo[], uniforms: Uniforms): tf.TensorInfo {
  return (backend as WebGPUBackend).runWebGPUProgram(program, inputs, 'float32', uniforms);
}
