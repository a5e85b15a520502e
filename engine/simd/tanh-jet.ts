/**
 * The tanh 2-jet kernels on wasm (engine/tanh-jet.ts has the rule, the op and its gradient): one SIMD
 * pass each (kernels.wat), reading and writing the tensors in the backend's heap. Registered when
 * this module loads (engine/backend.ts imports it).
 */
import * as tf from '@tensorflow/tfjs';
import { heapOffset, type WasmBackend } from '../wasm-heap.ts';
import { TANH_JET, tangentStrides, type TanhJetAttrs as Attrs } from '../tanh-jet.ts';
import { simd } from './simd.ts';

type Info = tf.TensorInfo;

function register(kernelName: string, fn: (inputs: Info[], attrs: Attrs, b: WasmBackend) => Info | Info[]): void {
  tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: ({ inputs, attrs, backend }) => fn(inputs as unknown as Info[], attrs as unknown as Attrs, backend as unknown as WasmBackend) });
}

const at = heapOffset;
/** tfjs's own Tanh kernel, called inside ours (no op, no tape entry of its own). */
const tanhKernel = () => tf.getKernel('Tanh', 'wasm')!;
const dims = (y0: Info, z1: Info) => ({ N: y0.shape[0], h: y0.shape[1], R: z1.shape[0] });

register(TANH_JET.jet, ([z0, z1, z2], { collapsed }, b) => {
  const y0 = tanhKernel().kernelFunc({ inputs: { x: z0 }, backend: b as unknown as tf.KernelBackend, attrs: {} }) as Info;
  const { N, h, R } = dims(y0, z1);
  const [rs, ns] = tangentStrides(z1, N, h);
  const y1 = b.makeOutput([R, N, h], 'float32');
  const y2 = b.makeOutput(collapsed ? [N, h] : [R, N, h], 'float32');
  if (collapsed) simd().tanh2c_fwd(at(y0), at(z1), z2 ? at(z2) : 0, at(y1), at(y2), R, N, h, rs, ns, z2 ? 1 : 0);
  else {
    const [rs2, ns2] = z2 ? tangentStrides(z2, N, h) : [0, 0];
    simd().tanh2_fwd(at(y0), at(z1), z2 ? at(z2) : 0, at(y1), at(y2), R, N, h, rs, ns, rs2, ns2, z2 ? 1 : 0);
  }
  return [y0, y1, y2];
});

/** Inputs y₀, z₁, g₀ (an empty [0] tensor where y₀ has no gradient), g₁, g₂ and z₂ if any. */
register(TANH_JET.gradZ0, ([y0, z1, g0, g1, g2, z2], { collapsed }, b) => {
  const { N, h, R } = dims(y0, z1);
  const [rs, ns] = tangentStrides(z1, N, h);
  const out = b.makeOutput([N, h], 'float32');
  const hasG0 = g0.shape[0] === 0 ? 0 : 1;
  const g0At = hasG0 ? at(g0) : 0;
  if (collapsed) simd().tanh2c_grad_z0(at(y0), at(z1), z2 ? at(z2) : 0, g0At, at(g1), at(g2), at(out), R, N, h, rs, ns, z2 ? 1 : 0, hasG0);
  else {
    const [rs2, ns2] = z2 ? tangentStrides(z2, N, h) : [0, 0];
    simd().tanh2_grad_z0(at(y0), at(z1), z2 ? at(z2) : 0, g0At, at(g1), at(g2), at(out), R, N, h, rs, ns, rs2, ns2, z2 ? 1 : 0, hasG0);
  }
  return out;
});

register(TANH_JET.gradZ1, ([y0, z1, g1, g2], { collapsed }, b) => {
  const { N, h, R } = dims(y0, z1);
  const [rs, ns] = tangentStrides(z1, N, h);
  const out = b.makeOutput(z1.shape, 'float32');
  if (collapsed) simd().tanh2c_grad_z1(at(y0), at(z1), at(g1), at(g2), at(out), R, N, h, rs, ns);
  else simd().tanh2_grad_z12(at(y0), at(z1), at(g1), at(g2), at(out), 0, R, N, h, rs, ns, 0, 0);
  return out;
});

// ∂z₂ = w·g₂, laid out like z₂: [R, M, h] per direction, [N, h] collapsed (one direction-summed top).
register(TANH_JET.gradZ2, ([y0, g2, z2], _, b) => {
  const [N, h] = y0.shape;
  const [R, rs2, ns2] = z2.shape.length === 2 ? [1, N * h, h] : [z2.shape[0], ...tangentStrides(z2, N, h)];
  const out = b.makeOutput(z2.shape, 'float32');
  simd().tanh2_grad_z12(at(y0), 0, 0, at(g2), 0, at(out), R, N, h, 0, 0, rs2, ns2);
  return out;
});
