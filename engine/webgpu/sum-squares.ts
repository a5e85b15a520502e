/**
 * Σ x² of every row of a [rows, m] tensor on webgpu: one WGSL program reads each row once and writes
 * partial sums, and one Sum adds them. tfjs's Square writes a squared copy that its Sum reads
 * again: three passes over the [N, d] points instead of one, three times per training step (the
 * sampler's norms, the source's 1 − ‖x‖², the ansatz's), ~3.6 GB of traffic at d = 10⁶, N = 100.
 * Invocation t of row r takes the columns t, t + S, t + 2S, … (S per row), so neighbouring
 * invocations read neighbouring columns. The summation order differs from tfjs's Sum.
 */
import * as tf from '@tensorflow/tfjs';
import { FlatProgram, runFlatProgram } from './program.ts';

/** Invocations per row at most: enough to fill a GPU at N = 100, few enough partial sums. */
const PER_ROW = 1024;

class SumSquaresProgram extends FlatProgram {
  constructor(rows: number, perRow: number) {
    super('stdeSumSquares', [rows, perRow], ['X'], 'rows : i32, cols : i32, perRow : i32,');
  }

  getUserCode(): string {
    return `
      fn main(index : i32) {
        if (index >= uniforms.rows * uniforms.perRow) { return; }
        let r = index / uniforms.perRow;
        let start = r * uniforms.cols;
        var s = 0.0;
        for (var j = index - r * uniforms.perRow; j < uniforms.cols; j = j + uniforms.perRow) {
          let v = X[start + j];
          s = s + v * v;
        }
        setOutputAtIndex(index, s);
      }
    `;
  }
}

export function webgpuSumSquaresRows(x: tf.Tensor2D, keepDims: boolean): tf.Tensor {
  const [rows, cols] = x.shape;
  const perRow = Math.min(PER_ROW, cols);
  return tf.tidy(() => {
    const ints = [rows, cols, perRow].map((v) => ({ type: 'int32' as const, data: [v] }));
    return tf.sum(runFlatProgram(new SumSquaresProgram(rows, perRow), [x], ints), -1, keepDims);
  });
}
