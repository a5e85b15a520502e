/**
 * The published code's source term for Poisson and PoissonHouman (pdes.md §1.1, §6; O4): f̂ is the
 * training method's estimate of Δu* for the exact solution u*, with its own index set or probes,
 * drawn independently of the draw the network's operator uses (one per step, shared by the step's
 * micro-batches). The estimate depends only on the draw; how a method differentiates changes its
 * rounding, not its value. So it is computed by the STDE estimator of the method's sampling law on
 * u*'s jet function, off the tape (u* has no parameters), or, for an index set where the PDE gives
 * Σ_{i∈S} ∂²u* / ∂x_i² in closed form, by that (the same draw, the same value: u*'s jets along e_i are
 * [R, rows, d] wherever u* couples coordinates, R·N times u*'s own work). A method that samples nothing,
 * or R = 0, estimates Δu* exactly: the analytic source.
 */
import * as tf from '@tensorflow/tfjs';
import type { LossContext } from './pde.ts';
import type { JetFunction } from '../../operators/target.ts';
import type { LaplacianRequest } from '../../operators/estimator.ts';
import { estimatorOf } from './methods.ts';
import { byRowBlocks } from './row-blocks.ts';
import { stdeSparse } from '../../estimators/stde-sparse.ts';
import { stdeDense } from '../../estimators/stde-dense.ts';
import { sampleIndices, sampleProbes, samplingFactor } from '../../sampling/directions.ts';
import { blocks, perBlock, ROW_BLOCK_FLOATS } from '../../engine/row-blocks.ts';
import { untaped } from '../../engine/untaped.ts';

export const ESTIMATED_SOURCE = 'estimated';

/** The stream of the source's draw: a child of the step's direction stream, so independent of it. */
const sourceStream = (ctx: LossContext) => ctx.rng.child('source');

/** The exact solution u* in the forms the source takes: its jets, Δu*, and (optional) Σ_{i∈S} ∂²u* / ∂x_i². */
export interface ExactSolution {
  jets: JetFunction;
  /** Δu* at points [N, d] (any size: it blocks its rows itself). */
  laplacian(x: tf.Tensor2D): tf.Tensor1D;
  /** Σ_{i ∈ indices} ∂²u* / ∂x_i² at rows [n, d] (one row block). */
  diagonalSum?(rows: tf.Tensor2D, indices: number[]): tf.Tensor1D;
}

/** f̂ at points x [N, d]; Δu* where the estimate is exact. */
export function estimatedSource(exact: ExactSolution, x: tf.Tensor2D, d: number, ctx: LossContext): tf.Tensor1D {
  const law = estimatorOf(ctx).sampling;
  const { R } = ctx;
  return tf.tidy(() =>
    untaped(() => {
      if (law === 'exact' || R === 0) return exact.laplacian(x);
      if (law === 'indices' && exact.diagonalSum) {
        const indices = sampleIndices(d, R, sourceStream(ctx));
        return byRowBlocks(x, (rows) => tf.mul(exact.diagonalSum!(rows, indices), samplingFactor(d, R)) as tf.Tensor1D);
      }
      // u*'s jets keep every input per direction ([R, rows, w] once a direction meets a point-dependent
      // factor), and a pushforward holds some 40 such temporaries at once, so a block holds rows ×
      // directions × w floats within the wasm row-block budget on every backend (the larger off-heap
      // one would let them reach gigabytes): fewer rows first, then, where one row of all R directions
      // is already too many (w > 2¹⁶ at R = 16), fewer directions.
      const w = x.shape[1];
      const budget = ROW_BLOCK_FLOATS;
      const directions = Math.min(R, perBlock(w, budget));
      const stream = sourceStream(ctx);
      const estimator = law === 'indices' ? stdeSparse : stdeDense;
      const indices = law === 'indices' ? sampleIndices(d, R, stream) : undefined;
      const probes = law === 'probes' ? sampleProbes(d, R, ctx.dist, stream) : undefined;
      const chunk = (start: number, k: number): Partial<LaplacianRequest> =>
        indices ? { indices: indices.slice(start, start + k) } : { probes: tf.slice(probes!, [start, 0], [k, d]) };
      const estimate = (rows: tf.Tensor2D) =>
        tf.addN(
          blocks(R, directions).map(([start, k]) =>
            tf.tidy(() => estimator.laplacian({ target: { model: exact.jets }, x: rows, d, R, dist: ctx.dist, rng: stream, ...chunk(start, k) }).value),
          ),
        ) as tf.Tensor1D;
      return byRowBlocks(x, estimate, perBlock(w * directions, budget) * w);
    }),
  );
}
