/**
 * The tanh rule of a 2-jet as a WASM kernel of our own (taylor/rules.ts has the same rule in tf ops).
 * After y₀ = tanh z₀ (tfjs's own op), with w = 1 − y₀², per direction r (sparse and dense STDE):
 *
 *   y₁,r = w·z₁,r,   y₂,r = w·(z₂,r − y₀·z₁,r²),
 *
 * and for a collapsed jet (method.md §9), whose top is summed over directions:
 *
 *   y₂ = w·(z₂ − y₀·S),   S = Σ_r z₁,r².
 *
 * In tf ops the rule and its gradient are about a dozen passes over the [R, N, h] tangents per layer
 * (products with broadcasting, direction sums, their gradients); here the forward pass is one SIMD
 * pass (kernels.wat) and each input's gradient one more. They are registered tfjs kernels, so
 * profiles count them and the tape saves their inputs. The gradient kernels have no gradient: a
 * gradient of a gradient through them would fail, so the rule takes this path only where at most
 * one gradient encloses it (training) and tf ops elsewhere.
 */
import * as tf from '@tensorflow/tfjs';
import { heapOffset, type WasmBackend } from '../wasm-heap.ts';
import { gradientDepth } from '../untaped.ts';
import { simd } from './simd.ts';

const JET = 'StdeTanhJet2';
const GRAD_Y0 = 'StdeTanhJet2GradY0';
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
  const y0 = tf.tanh(z0);
  const inputs = (z2 ? [y0, z1, z2] : [y0, z1]) as unknown as tf.NamedTensorMap;
  const [y1, y2] = tf.engine().runKernel(JET, inputs, { collapsed } as unknown as tf.NamedAttrMap) as tf.Tensor[];
  return [y0, y1, y2];
}

/** Per direction: z₂ [R, M₂, h] or null. */
export const tanhJet2 = (z0: tf.Tensor, z1: tf.Tensor, z2: tf.Tensor | null) => tanhJet(z0, z1, z2, false);
/** Collapsed: z₂ [N, h] (summed over directions) or null; y₂ [N, h]. */
export const tanhCollapsed2 = (z0: tf.Tensor, z1: tf.Tensor, z2: tf.Tensor | null) => tanhJet(z0, z1, z2, true);

function register(kernelName: string, fn: (inputs: Info[], attrs: Attrs, b: WasmBackend) => Info | Info[]): void {
  tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: ({ inputs, attrs, backend }) => fn(inputs as unknown as Info[], attrs as unknown as Attrs, backend as unknown as WasmBackend) });
}

const at = heapOffset;
const dims = (y0: Info, z1: Info) => ({ N: y0.shape[0], h: y0.shape[1], R: z1.shape[0] });

register(JET, ([y0, z1, z2], { collapsed }, b) => {
  const { N, h, R } = dims(y0, z1);
  const [rs, ns] = strides(z1, N, h);
  const y1 = b.makeOutput([R, N, h], 'float32');
  const y2 = b.makeOutput(collapsed ? [N, h] : [R, N, h], 'float32');
  if (collapsed) simd().tanh2c_fwd(at(y0), at(z1), z2 ? at(z2) : 0, at(y1), at(y2), R, N, h, rs, ns, z2 ? 1 : 0);
  else {
    const [rs2, ns2] = z2 ? strides(z2, N, h) : [0, 0];
    simd().tanh2_fwd(at(y0), at(z1), z2 ? at(z2) : 0, at(y1), at(y2), R, N, h, rs, ns, rs2, ns2, z2 ? 1 : 0);
  }
  return [y1, y2];
});

register(GRAD_Y0, ([y0, z1, g1, g2, z2], { collapsed }, b) => {
  const { N, h, R } = dims(y0, z1);
  const [rs, ns] = strides(z1, N, h);
  const out = b.makeOutput([N, h], 'float32');
  if (collapsed) simd().tanh2c_grad_y0(at(y0), at(z1), z2 ? at(z2) : 0, at(g1), at(g2), at(out), R, N, h, rs, ns, z2 ? 1 : 0);
  else {
    const [rs2, ns2] = z2 ? strides(z2, N, h) : [0, 0];
    simd().tanh2_grad_y0(at(y0), at(z1), z2 ? at(z2) : 0, at(g1), at(g2), at(out), R, N, h, rs, ns, rs2, ns2, z2 ? 1 : 0);
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

// Per direction only (a collapsed top's gradient is w·g₂, a primal-sized product).
register(GRAD_Z2, ([y0, g2, z2], _, b) => {
  const { N, h } = dims(y0, z2);
  const R = z2.shape[0];
  const [rs2, ns2] = strides(z2, N, h);
  const out = b.makeOutput(z2.shape, 'float32');
  simd().tanh2_grad_z12(at(y0), 0, 0, at(g2), 0, at(out), R, N, h, 0, 0, rs2, ns2);
  return out;
});

tf.registerGradient({
  kernelName: JET,
  saveAllInputs: true,
  gradFunc: (dys, saved, attrs) => {
    const [g1, g2] = dys as tf.Tensor[];
    const [y0, z1, z2] = saved;
    const { collapsed } = attrs as unknown as Attrs;
    const run = (name: string, inputs: tf.Tensor[]) => tf.engine().runKernel(name, inputs as unknown as tf.NamedTensorMap, attrs) as tf.Tensor;
    const grads: Record<string, () => tf.Tensor> = {
      0: () => run(GRAD_Y0, z2 ? [y0, z1, g1, g2, z2] : [y0, z1, g1, g2]),
      1: () => run(GRAD_Z1, [y0, z1, g1, g2]),
    };
    if (z2) grads[2] = () => (collapsed ? tf.mul(tf.sub(1, tf.square(y0)), g2) : run(GRAD_Z2, [y0, g2, z2]));
    return grads;
  },
});
