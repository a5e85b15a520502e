/**
 * Adam's update on webgpu in three kernels per parameter instead of thirteen.
 *
 * Written with tfjs ops, one Adam step is 13 kernels per parameter plus an upload for each number
 * operand. On an H100 (Dawn → NVIDIA's Vulkan driver) the GPU finishes a whole d = 100 training
 * step in ~3 ms of kernel time while the step takes ~150 ms: the cost is per dispatch, on the CPU
 * (CPU profile on the device), so the count is what matters. Here m', v' and θ' are one element-wise
 * program each, with β₁, β₂, the step size and the corrections as uniforms (no uploads).
 *
 * The arithmetic is the tensor version's, in its order (benchmarks/training/adam.ts):
 *   m' = β₁m + (1 − β₁)g;  v' = β₂v + (1 − β₂)g²;  θ' = θ − stepSize · m' / (√v' · vCorrection + ε)
 * A shader compiler may contract a·b + c into one fused multiply-add, so results can differ from
 * the op-by-op path in the last bit.
 */
import * as tf from '@tensorflow/tfjs';
import { FlatProgram, runFlatProgram } from './program.ts';
import type { AdamCoefficients } from '../fused-adam.ts';

/** WGSL of each output, given its inputs by variable name (read at the output's index). */
const UPDATES = {
  m: { inputs: ['M', 'G'], expr: 'uniforms.beta1 * M[index] + uniforms.rest1 * G[index]' },
  v: { inputs: ['V', 'G'], expr: 'uniforms.beta2 * V[index] + uniforms.rest2 * (G[index] * G[index])' },
  p: { inputs: ['P', 'M', 'V'], expr: 'P[index] - uniforms.stepSize * (M[index] / (sqrt(V[index]) * uniforms.vCorrection + uniforms.epsilon))' },
} as const;

class AdamProgram extends FlatProgram {
  constructor(
    private readonly which: keyof typeof UPDATES,
    shape: number[],
  ) {
    super(`stdeAdam_${which}`, shape, [...UPDATES[which].inputs], 'beta1 : f32, rest1 : f32, beta2 : f32, rest2 : f32, epsilon : f32, stepSize : f32, vCorrection : f32,');
  }

  getUserCode(): string {
    return `
      fn main(index : i32) {
        if (index < uniforms.size) { setOutputAtIndex(index, ${UPDATES[this.which].expr}); }
      }
    `;
  }
}

/** New (θ, m, v) of one parameter, from θ, its gradient and moments; inputs are left as they are. */
export function webgpuAdamUpdate(p: tf.Tensor, g: tf.Tensor, m: tf.Tensor, v: tf.Tensor, c: AdamCoefficients): { p: tf.Tensor; m: tf.Tensor; v: tf.Tensor } {
  // 1 − β in double, as the tensor version's number operands are (in f32, 1 − 0.9 is not 0.1).
  const uniforms = [c.beta1, 1 - c.beta1, c.beta2, 1 - c.beta2, c.epsilon, c.stepSize, c.vCorrection].map((x) => ({ type: 'float32' as const, data: [x] }));
  const run = (which: keyof typeof UPDATES, inputs: tf.Tensor[]) => runFlatProgram(new AdamProgram(which, p.shape), inputs, uniforms);
  const m2 = run('m', [m, g]);
  const v2 = run('v', [v, g]);
  return { p: run('p', [p, m2, v2]), m: m2, v: v2 };
}
