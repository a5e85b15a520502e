/**
 * The two-body pair sums (benchmarks/pdes/solutions/two-body.ts) as one WGSL program on webgpu.
 *
 * In tf ops the exact source is ~45 passes over the [N, d] points per step (sin and cos twice,
 * shifted slices, the elementwise algebra, three products): counted from tf.profile's shapes at
 * d = 10⁵, 4.1 GB of kernel reads and writes against 0.77 GB for the whole loss and gradient, and a
 * GPU at d = 10⁶ is bound by such bytes. Here each invocation walks its share of one row's pairs,
 * reading x_i and x_{i+1} once and keeping sin, cos and the sums in registers; one Sum adds the
 * invocations' partial sums.
 *
 * Invocation t of row r takes the pairs t, t + S, t + 2S, … (S per row), so neighbouring invocations
 * read neighbouring columns. Float32 throughout, as the tf-op path; the summation order differs.
 */
import * as tf from '@tensorflow/tfjs';
import { FlatProgram, runFlatProgram } from './program.ts';

/** Invocations per row at most: enough to fill a GPU at N = 100, few enough partial sums. */
const PER_ROW = 4096;

class TwoBodyPairSumsProgram extends FlatProgram {
  /** `sums` planes of [rows, perRow] partial sums: ψ, then −inner and radial with the Laplacian. */
  constructor(
    private readonly withLaplacian: boolean,
    rows: number,
    perRow: number,
  ) {
    super(`stdeTwoBodyPairSums_${withLaplacian ? 3 : 1}`, [withLaplacian ? 3 : 1, rows, perRow], ['X', 'C'], 'rows : i32, cols : i32, lo : i32, pairs : i32, perRow : i32,', rows * perRow);
  }

  getUserCode(): string {
    const lap = this.withLaplacian;
    return `
      fn main(index : i32) {
        let plane = uniforms.rows * uniforms.perRow;
        if (index >= plane) { return; }
        let r = index / uniforms.perRow;
        let start = r * uniforms.cols + uniforms.lo;
        var psi = 0.0;
        var negInner = 0.0;
        var radial = 0.0;
        for (var i = index - r * uniforms.perRow; i < uniforms.pairs; i = i + uniforms.perRow) {
          let a = X[start + i];
          let b = X[start + i + 1];
          let ca = cos(a);
          let second = b * ca + cos(b); // −(∂²s/∂a² + ∂²s/∂b²)
          let s = a + second;
          let sinS = sin(s);
          let c = C[uniforms.lo + i];
          psi = psi + c * sinS;
          ${
            lap
              ? `let cosS = cos(s);
          let A = 1.0 - b * sin(a);
          let B = ca - sin(b);
          negInner = negInner + c * (sinS * (A * A + B * B) + cosS * second);
          radial = radial + c * (cosS * (a * A + b * B));`
              : ''
          }
        }
        setOutputAtIndex(index, psi);
        ${lap ? 'setOutputAtIndex(plane + index, negInner);\n        setOutputAtIndex(2 * plane + index, radial);' : ''}
      }
    `;
  }
}

/**
 * Over pairs i ∈ [lo, lo + m) of the [N, d] points x, with coefficients c [d − 1]: ψ = Σ c_i sin s_i
 * and, with the Laplacian, Σ c_i·(−inner_i) and Σ c_i·radial_i, each [N] (two-body.ts defines them).
 */
export function webgpuTwoBodyPairSums(x: tf.Tensor2D, c: tf.Tensor1D, lo: number, m: number, withLaplacian: boolean): tf.Tensor1D[] {
  const [rows, cols] = x.shape;
  if (lo < 0 || m < 1 || lo + m + 1 > cols || lo + m > c.shape[0]) throw new Error(`two-body pair sums: pairs [${lo}, ${lo + m}) do not fit ${cols} columns`);
  const perRow = Math.min(PER_ROW, m);
  return tf.tidy(() => {
    const ints = [rows, cols, lo, m, perRow].map((v) => ({ type: 'int32' as const, data: [v] }));
    const partial = runFlatProgram(new TwoBodyPairSumsProgram(withLaplacian, rows, perRow), [x, c], ints);
    return tf.unstack(tf.sum(partial, -1)) as tf.Tensor1D[];
  });
}
