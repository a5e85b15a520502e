/**
 * The tanh rule of a 2-jet as a WASM kernel of our own (taylor/rules.ts has the same rule in tf ops).
 * With y₀ = tanh z₀ (tfjs's own Tanh kernel, run inside ours) and w = 1 − y₀², per direction r
 * (sparse and dense STDE):
 *
 *   y₁,r = w·z₁,r,   y₂,r = w·(z₂,r − y₀·z₁,r²),
 *
 * and for a collapsed jet (method.md §9), whose top is summed over directions:
 *
 *   y₂ = w·(z₂ − y₀·S),   S = Σ_r z₁,r².
 *
 * In tf ops the rule and its gradient are about a dozen passes over the [R, N, h] tangents per layer
 * (products with broadcasting, direction sums, their gradients); here the forward pass is one SIMD
 * pass (kernels.wat) and each input's gradient one more; z₀'s gradient takes y₀'s own (g₀) in the same
 * pass, so the primal needs no tanh op and no tanh gradient of its own. They are registered tfjs kernels, so
 * profiles count them and the tape saves their inputs. The gradient kernels have no gradient: a
 * gradient of a gradient through them would fail, so the rule takes this path only where at most
 * one gradient encloses it (training) and tf ops elsewhere.
 */
import * as tf from '@tensorflow/tfjs';
import { heapOffset, type WasmBackend } from '../wasm-heap.ts';
import { gradientDepth } from '../untaped.ts';
import { simd } from './simd.ts';

const JET = 'StdeTanhJet2';
const GRAD_Z0 = 'StdeTanhJet2GradZ0';
const GRAD_Z1 = 'StdeTanhJet2GradZ1';
const GRAD_Z2 = 'StdeTanhJet2GradZ2';

type Info = tf.TensorInfo;
interface Attrs {
  collapsed: boolean;
}

/** A direction-major [R, M, h] tangent of an [N, h] primal (M = N, or 1: shared by all points). */
const fitsTangent = (y0: tf.Tensor, t: tf.Tensor) =>
  t.rank === 3 && t.dtype === 'float32' && t.shape[2] === y0.shape[1] && (t.shape[1] === 1 || t.shape[1] === y0.shape[0]);

/** Whether the kernel applies: wasm, at most one enclosing gradient, SIMD-wide rows, [R, M, h] tangents. */
export function fusedTanhApplies(z0: tf.Tensor, z1: tf.Tensor, z2: tf.Tensor | null = null): boolean {
  return (
    tf.getBackend() === 'wasm' && gradientDepth() <= 1 && z0.rank === 2 && z0.dtype === 'float32' && z0.shape[1]! % 4 === 0 &&
    fitsTangent(z0, z1) && (z2 === null || (fitsTangent(z0, z2) && z2.shape[0] === z1.shape[0]))
  );
}

/** Element strides between directions and between points of an [R, M, h] tangent (0: shared). */
const strides = (t: Info, N: number, h: number): [number, number] => (t.shape[1] === 1 ? [h, 0] : [N * h, h]);

/** y₀, y₁ and y₂ ([R, N, h] per direction, [N, h] collapsed) for z₀ [N, h], z₁ [R, M, h], z₂ or null. */
function tanhJet(z0: tf.Tensor, z1: tf.Tensor, z2: tf.Tensor | null, collapsed: boolean): [tf.Tensor, tf.Tensor, tf.Tensor] {
  const inputs = (z2 ? [z0, z1, z2] : [z0, z1]) as unknown as tf.NamedTensorMap;
  return tf.engine().runKernel(JET, inputs, { collapsed } as unknown as tf.NamedAttrMap) as [tf.Tensor, tf.Tensor, tf.Tensor];
}

/** Per direction: z₂ [R, M₂, h] or null. */
export const tanhJet2 = (z0: tf.Tensor, z1: tf.Tensor, z2: tf.Tensor | null) => tanhJet(z0, z1, z2, false);
/** Collapsed: z₂ [N, h] (summed over directions) or null; y₂ [N, h]. */
export const tanhCollapsed2 = (z0: tf.Tensor, z1: tf.Tensor, z2: tf.Tensor | null) => tanhJet(z0, z1, z2, true);

function register(kernelName: string, fn: (inputs: Info[], attrs: Attrs, b: WasmBackend) => Info | Info[]): void {
  tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: ({ inputs, attrs, backend }) => fn(inputs as unknown as Info[], attrs as unknown as Attrs, backend as unknown as WasmBackend) });
}

const at = heapOffset;
/** tfjs's own Tanh kernel, called inside ours (no op, no tape entry of its own). */
const tanhKernel = () => tf.getKernel('Tanh', 'wasm')!;
const dims = (y0: Info, z1: Info) => ({ N: y0.shape[0], h: y0.shape[1], R: z1.shape[0] });

register(JET, ([z0, z1, z2], { collapsed }, b) => {
  const y0 = tanhKernel().kernelFunc({ inputs: { x: z0 }, backend: b as unknown as tf.KernelBackend, attrs: {} }) as Info;
  const { N, h, R } = dims(y0, z1);
  const [rs, ns] = strides(z1, N, h);
  const y1 = b.makeOutput([R, N, h], 'float32');
  const y2 = b.makeOutput(collapsed ? [N, h] : [R, N, h], 'float32');
  if (collapsed) simd().tanh2c_fwd(at(y0), at(z1), z2 ? at(z2) : 0, at(y1), at(y2), R, N, h, rs, ns, z2 ? 1 : 0);
  else {
    const [rs2, ns2] = z2 ? strides(z2, N, h) : [0, 0];
    simd().tanh2_fwd(at(y0), at(z1), z2 ? at(z2) : 0, at(y1), at(y2), R, N, h, rs, ns, rs2, ns2, z2 ? 1 : 0);
  }
  return [y0, y1, y2];
});

/** Inputs y₀, z₁, g₀ (an empty [0] tensor where y₀ has no gradient), g₁, g₂ and z₂ if any. */
register(GRAD_Z0, ([y0, z1, g0, g1, g2, z2], { collapsed }, b) => {
  const { N, h, R } = dims(y0, z1);
  const [rs, ns] = strides(z1, N, h);
  const out = b.makeOutput([N, h], 'float32');
  const hasG0 = g0.shape[0] === 0 ? 0 : 1;
  const g0At = hasG0 ? at(g0) : 0;
  if (collapsed) simd().tanh2c_grad_z0(at(y0), at(z1), z2 ? at(z2) : 0, g0At, at(g1), at(g2), at(out), R, N, h, rs, ns, z2 ? 1 : 0, hasG0);
  else {
    const [rs2, ns2] = z2 ? strides(z2, N, h) : [0, 0];
    simd().tanh2_grad_z0(at(y0), at(z1), z2 ? at(z2) : 0, g0At, at(g1), at(g2), at(out), R, N, h, rs, ns, rs2, ns2, z2 ? 1 : 0, hasG0);
  }
  return out;
});

register(GRAD_Z1, ([y0, z1, g1, g2], { collapsed }, b) => {
  const { N, h, R } = dims(y0, z1);
  const [rs, ns] = strides(z1, N, h);
  const out = b.makeOutput(z1.shape, 'float32');
  if (collapsed) simd().tanh2c_grad_z1(at(y0), at(z1), at(g1), at(g2), at(out), R, N, h, rs, ns);
  else simd().tanh2_grad_z12(at(y0), at(z1), at(g1), at(g2), at(out), 0, R, N, h, rs, ns, 0, 0);
  return out;
});

// ∂z₂ = w·g₂, laid out like z₂: [R, M, h] per direction, [N, h] collapsed (one direction-summed top).
register(GRAD_Z2, ([y0, g2, z2], _, b) => {
  const [N, h] = y0.shape;
  const [R, rs2, ns2] = z2.shape.length === 2 ? [1, N * h, h] : [z2.shape[0], ...strides(z2, N, h)];
  const out = b.makeOutput(z2.shape, 'float32');
  simd().tanh2_grad_z12(at(y0), 0, 0, at(g2), 0, at(out), R, N, h, 0, 0, rs2, ns2);
  return out;
});

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
