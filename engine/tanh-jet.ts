/**
 * The tanh rule of a 2-jet as a kernel of our own (taylor/rules.ts has the same rule in tf ops), on
 * wasm (SIMD, engine/simd/tanh-jet.ts) and webgpu (WGSL, engine/webgpu/tanh-jet.ts); this file is the
 * op and its gradient, shared by both. With y₀ = tanh z₀ (the backend's own Tanh kernel, run inside
 * ours) and w = 1 − y₀², per direction r (sparse and dense STDE):
 *
 *   y₁,r = w·z₁,r,   y₂,r = w·(z₂,r − y₀·z₁,r²),
 *
 * and for a collapsed jet (method.md §9), whose top is summed over directions:
 *
 *   y₂ = w·(z₂ − y₀·S),   S = Σ_r z₁,r².
 *
 * In tf ops the rule and its gradient are about a dozen passes over the [R, N, h] tangents per layer
 * (products with broadcasting, direction sums, their gradients), each a kernel: on wasm a pass
 * (~1 ns an element), on a GPU a dispatch (its CPU cost bounds a small step there). Here the forward
 * pass is one SIMD pass (wasm) or two programs after Tanh (webgpu: y₁, y₂), and each input's gradient
 * one more; z₀'s gradient takes y₀'s own (g₀) in the same pass, so the primal needs no tanh op and no
 * tanh gradient of its own. They are registered tfjs kernels, so
 * profiles count them and the tape saves their inputs. The gradient kernels have no gradient: a
 * gradient of a gradient through them would fail, so the rule takes this path only where at most
 * one gradient encloses it (training) and tf ops elsewhere.
 */
import * as tf from '@tensorflow/tfjs';
import { gradientDepth } from './untaped.ts';

/** The registered kernels: the rule, and one gradient kernel per input. */
export const TANH_JET = { jet: 'StdeTanhJet2', gradZ0: 'StdeTanhJet2GradZ0', gradZ1: 'StdeTanhJet2GradZ1', gradZ2: 'StdeTanhJet2GradZ2' } as const;
const { jet: JET, gradZ0: GRAD_Z0, gradZ1: GRAD_Z1, gradZ2: GRAD_Z2 } = TANH_JET;

export interface TanhJetAttrs {
  collapsed: boolean;
}
type Attrs = TanhJetAttrs;

/** A direction-major [R, M, h] tangent of an [N, h] primal (M = N, or 1: shared by all points). */
const fitsTangent = (y0: tf.Tensor, t: tf.Tensor) =>
  t.rank === 3 && t.dtype === 'float32' && t.shape[2] === y0.shape[1] && (t.shape[1] === 1 || t.shape[1] === y0.shape[0]);

/** Backends with the kernels; wasm needs rows of whole SIMD lanes. */
const hasKernel = (h: number) => {
  const b = tf.getBackend();
  return b === 'webgpu' || (b === 'wasm' && h % 4 === 0);
};

/** Whether the kernel applies: wasm or webgpu, at most one enclosing gradient, [R, M, h] tangents. */
export function fusedTanhApplies(z0: tf.Tensor, z1: tf.Tensor, z2: tf.Tensor | null = null): boolean {
  return (
    gradientDepth() <= 1 && z0.rank === 2 && z0.dtype === 'float32' && hasKernel(z0.shape[1]!) &&
    fitsTangent(z0, z1) && (z2 === null || (fitsTangent(z0, z2) && z2.shape[0] === z1.shape[0]))
  );
}

/** Element strides between directions and between points of an [R, M, h] tangent (0: shared). */
export const tangentStrides = (t: tf.TensorInfo, N: number, h: number): [number, number] => (t.shape[1] === 1 ? [h, 0] : [N * h, h]);

/** y₀, y₁ and y₂ ([R, N, h] per direction, [N, h] collapsed) for z₀ [N, h], z₁ [R, M, h], z₂ or null. */
function tanhJet(z0: tf.Tensor, z1: tf.Tensor, z2: tf.Tensor | null, collapsed: boolean): [tf.Tensor, tf.Tensor, tf.Tensor] {
  const inputs = (z2 ? [z0, z1, z2] : [z0, z1]) as unknown as tf.NamedTensorMap;
  return tf.engine().runKernel(JET, inputs, { collapsed } as unknown as tf.NamedAttrMap) as [tf.Tensor, tf.Tensor, tf.Tensor];
}

/** Per direction: z₂ [R, M₂, h] or null. */
export const tanhJet2 = (z0: tf.Tensor, z1: tf.Tensor, z2: tf.Tensor | null) => tanhJet(z0, z1, z2, false);
/** Collapsed: z₂ [N, h] (summed over directions) or null; y₂ [N, h]. */
export const tanhCollapsed2 = (z0: tf.Tensor, z1: tf.Tensor, z2: tf.Tensor | null) => tanhJet(z0, z1, z2, true);

tf.registerGradient({
  kernelName: JET,
  saveAllInputs: true,
  outputsToSave: [true, false, false],
  gradFunc: (dys, saved, attrs) => {
    const [g0, g1, g2] = dys as (tf.Tensor | null)[];
    // saved: the inputs z₀, z₁ (and z₂), then the output y₀ (z₀ itself is not needed: w comes from y₀).
    const y0 = saved[saved.length - 1];
    const [, z1] = saved;
    const z2 = saved.length === 4 ? saved[2] : null;
    const run = (name: string, inputs: tf.Tensor[]) => tf.engine().runKernel(name, inputs as unknown as tf.NamedTensorMap, attrs) as tf.Tensor;
    // Outputs outside the loss's graph get no gradient (null): zeros of their shape.
    const [N, h] = y0.shape;
    const R = z1.shape[0];
    const dy1 = g1 ?? tf.zeros([R, N, h]);
    const dy2 = g2 ?? tf.zeros((attrs as unknown as Attrs).collapsed ? [N, h] : [R, N, h]);
    const grads: Record<string, () => tf.Tensor> = {
      0: () => run(GRAD_Z0, [y0, z1, g0 ?? tf.zeros([0]), dy1, dy2, ...(z2 ? [z2] : [])]),
      1: () => run(GRAD_Z1, [y0, z1, dy1, dy2]),
    };
    if (z2) grads[2] = () => run(GRAD_Z2, [y0, dy2, z2]);
    return grads;
  },
});
