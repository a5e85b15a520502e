/**
 * The tanh 2-jet kernels on webgpu (engine/tanh-jet.ts has the rule, the op and its gradient): WGSL
 * programs, one per output, where the tf-op rule dispatches a dozen or more per layer. On a GPU the
 * CPU cost of a dispatch (~65 µs on the H100 machine) bounds a training step at d ≤ 10⁵.
 * Registered when this module loads (engine/backend.ts imports it).
 *
 * Tangents are [R, M, h] with M = N or 1 (shared by the points), read at r·rs + n·ns + j (ns = 0 when
 * shared); gradients laid out like a shared tangent sum over the points. y₀, w, the gradients g₀ and
 * the collapsed tops are [N, h], read at p = n·h + j.
 */
import * as tf from '@tensorflow/tfjs';
import { FlatProgram, runFlatProgramInfo } from './program.ts';
import { TANH_JET, tangentStrides, type TanhJetAttrs as Attrs } from '../tanh-jet.ts';

type Info = tf.TensorInfo;

const SIZES = 'R : i32, N : i32, h : i32, rs1 : i32, ns1 : i32, rs2 : i32, ns2 : i32, points : i32,';

/** WGSL shared by the programs: the output index split into (r, n, j) of an [R, rows, h] layout. */
const SPLIT = (rows: string) => `
        let plane = ${rows} * uniforms.h;
        let r = index / plane;
        let q = index - r * plane;
        let n = q / uniforms.h;
        let j = q - n * uniforms.h;`;

class TanhJetProgram extends FlatProgram {
  constructor(
    key: string,
    shape: number[],
    inputs: string[],
    private readonly code: string,
  ) {
    super(`stdeTanhJet_${key}`, shape, inputs, SIZES);
  }

  getUserCode(): string {
    return `
      fn main(index : i32) {
        if (index >= uniforms.size) { return; }
        ${this.code}
      }
    `;
  }
}

/** One program: its shader-key suffix (everything that changes the code), output shape, inputs by shader name, main()'s body. */
interface Call {
  key: string;
  shape: number[];
  inputs: [string, Info][];
  code: string;
}

function run(backend: unknown, c: Call, sizes: number[]): Info {
  const program = new TanhJetProgram(c.key, c.shape, c.inputs.map(([name]) => name), c.code);
  return runFlatProgramInfo(backend, program, c.inputs.map(([, t]) => t), sizes.map((v) => ({ type: 'int32', data: [v] })));
}

/** The uniforms: R, N, h, the strides of z₁ and z₂, and how many points a gradient output sums. */
function sizes(y0: Info, z1: Info, z2: Info | null | undefined, points = 1): number[] {
  const [N, h] = y0.shape;
  const [rs1, ns1] = tangentStrides(z1, N, h);
  const [rs2, ns2] = z2 && z2.shape.length === 3 ? tangentStrides(z2, N, h) : [0, h];
  return [z1.shape[0], N, h, rs1, ns1, rs2, ns2, points];
}

const W = 'let y = Y0[p]; let w = 1.0 - y * y;';
const Z1 = 'Z1[r * uniforms.rs1 + n * uniforms.ns1 + j]';
const Z2 = 'Z2[r * uniforms.rs2 + n * uniforms.ns2 + j]';

function register(kernelName: string, fn: (inputs: Info[], attrs: Attrs, backend: unknown) => Info | Info[]): void {
  tf.registerKernel({ kernelName, backendName: 'webgpu', kernelFunc: ({ inputs, attrs, backend }) => fn(inputs as unknown as Info[], attrs as unknown as Attrs, backend) });
}

register(TANH_JET.jet, ([z0, z1, z2], { collapsed }, b) => {
  const y0 = tf.getKernel('Tanh', 'webgpu')!.kernelFunc({ inputs: { x: z0 }, backend: b as tf.KernelBackend, attrs: {} }) as Info;
  const [N, h] = y0.shape;
  const R = z1.shape[0];
  const u = sizes(y0, z1, z2);
  const y1 = run(b, { key: 'y1', shape: [R, N, h], inputs: [['Y0', y0], ['Z1', z1]], code: `${SPLIT('uniforms.N')} let p = n * uniforms.h + j; ${W}
        setOutputAtIndex(index, w * ${Z1});` }, u);
  const withZ2 = z2 ? ([['Z2', z2]] as [string, Info][]) : [];
  const y2 = collapsed
    ? run(b, {
        key: `y2c${z2 ? '_z2' : ''}`, shape: [N, h], inputs: [['Y0', y0], ['Z1', z1], ...withZ2],
        // S = Σ_r z₁²;  y₂ = w·(z₂ − y₀·S)
        code: `let p = index; let n = p / uniforms.h; let j = p - n * uniforms.h; ${W}
        var s = 0.0;
        for (var r = 0; r < uniforms.R; r = r + 1) { let z = ${Z1}; s = s + z * z; }
        setOutputAtIndex(index, w * (${z2 ? 'Z2[p]' : '0.0'} - y * s));`,
      }, u)
    : run(b, {
        key: `y2${z2 ? '_z2' : ''}`, shape: [R, N, h], inputs: [['Y0', y0], ['Z1', z1], ...withZ2],
        // y₂,r = w·(z₂,r − y₀·z₁,r²)
        code: `${SPLIT('uniforms.N')} let p = n * uniforms.h + j; ${W}
        let z = ${Z1};
        setOutputAtIndex(index, w * (${z2 ? Z2 : '0.0'} - y * z * z));`,
      }, u);
  return [y0, y1, y2];
});

// ∂z₀ = w·(g₀ + ∂y₀). Per direction ∂y₀ = Σ_r [−2y₀·g₁,r·z₁,r + g₂,r·(−2y₀·z₂,r − (1 − 3y₀²)·z₁,r²)];
// collapsed ∂y₀ = −2y₀·Σ_r g₁,r·z₁,r + g₂·(−2y₀·z₂ − (1 − 3y₀²)·S).
register(TANH_JET.gradZ0, ([y0, z1, g0, g1, g2, z2], { collapsed }, b) => {
  const hasG0 = g0.shape[0] !== 0;
  const inputs: [string, Info][] = [['Y0', y0], ['Z1', z1], ['G1', g1], ['G2', g2], ...(hasG0 ? [['G0', g0] as [string, Info]] : []), ...(z2 ? [['Z2', z2] as [string, Info]] : [])];
  const g1At = 'G1[r * uniforms.N * uniforms.h + p]';
  const code = collapsed
    ? `var dp = 0.0;
        var s = 0.0;
        for (var r = 0; r < uniforms.R; r = r + 1) { let z = ${Z1}; dp = dp + ${g1At} * z; s = s + z * z; }
        let dy = -2.0 * y * dp + G2[p] * (${z2 ? '-2.0 * y * Z2[p]' : '0.0'} - (1.0 - 3.0 * y * y) * s);`
    : `var dy = 0.0;
        for (var r = 0; r < uniforms.R; r = r + 1) {
          let z = ${Z1};
          let g2 = G2[r * uniforms.N * uniforms.h + p];
          dy = dy - 2.0 * y * ${g1At} * z + g2 * (${z2 ? `-2.0 * y * ${Z2}` : '0.0'} - (1.0 - 3.0 * y * y) * z * z);
        }`;
  return run(b, {
    key: `gz0${collapsed ? 'c' : ''}${hasG0 ? '_g0' : ''}${z2 ? '_z2' : ''}`, shape: y0.shape, inputs,
    code: `let p = index; let n = p / uniforms.h; let j = p - n * uniforms.h; ${W}
        ${code}
        setOutputAtIndex(index, w * (${hasG0 ? 'G0[p]' : '0.0'} + dy));`,
  }, sizes(y0, z1, z2));
});

// ∂z₁,r = w·g₁,r − 2y₀·w·g₂·z₁,r (g₂ per direction, or the collapsed [N, h] top), laid out like z₁.
register(TANH_JET.gradZ1, ([y0, z1, g1, g2], { collapsed }, b) => {
  const shared = z1.shape[1] === 1 && y0.shape[0] !== 1;
  return run(b, {
    key: `gz1${collapsed ? 'c' : ''}${shared ? '_shared' : ''}`, shape: z1.shape, inputs: [['Y0', y0], ['Z1', z1], ['G1', g1], ['G2', g2]],
    code: `${SPLIT(shared ? '1' : 'uniforms.N')}
        let z = ${Z1};
        var acc = 0.0;
        for (var k = 0; k < uniforms.points; k = k + 1) { // a shared tangent's output sums over the points
          let p = (n + k) * uniforms.h + j; ${W}
          acc = acc + w * (G1[r * uniforms.N * uniforms.h + p] - 2.0 * y * ${collapsed ? 'G2[p]' : 'G2[r * uniforms.N * uniforms.h + p]'} * z);
        }
        setOutputAtIndex(index, acc);`,
  }, sizes(y0, z1, null, shared ? y0.shape[0] : 1));
});

// ∂z₂ = w·g₂, laid out like z₂: [R, M, h] per direction, [N, h] collapsed.
register(TANH_JET.gradZ2, ([y0, g2, z2], _, b) => {
  const [N, h] = y0.shape;
  const perDirection = z2.shape.length === 3;
  const shared = perDirection && z2.shape[1] === 1 && N !== 1;
  const R = perDirection ? z2.shape[0] : 1;
  return run(b, {
    key: `gz2${shared ? '_shared' : ''}`, shape: z2.shape, inputs: [['Y0', y0], ['G2', g2]],
    code: `${SPLIT(shared ? '1' : 'uniforms.N')}
        var acc = 0.0;
        for (var k = 0; k < uniforms.points; k = k + 1) {
          let p = (n + k) * uniforms.h + j; ${W}
          acc = acc + w * G2[r * uniforms.N * uniforms.h + p];
        }
        setOutputAtIndex(index, acc);`,
  }, [R, N, h, 0, 0, 0, 0, shared ? N : 1]);
});
