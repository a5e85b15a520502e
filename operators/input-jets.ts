/**
 * Input jets of the Laplacian estimators: the first tangent slot carries the sampled basis
 * vectors e_i (i < d, the spatial block) or dense probes padded with zeros over the extra (time)
 * inputs. Shared so that no estimator builds its own.
 */
import * as tf from '@tensorflow/tfjs';
import { basis, inputJet, type Jet } from '../taylor/jet.ts';
import type { LaplacianRequest } from './estimator.ts';
import { sampleIndices, sampleProbes } from '../sampling/directions.ts';

export function inputWidth(req: LaplacianRequest): number {
  return req.x.shape[1];
}

/** The sampled index set of this call (R = 0 → all d), or the subset the caller fixed. */
export function drawIndices(req: LaplacianRequest): number[] {
  return req.indices ?? sampleIndices(req.d, req.R, req.rng);
}

/** A jet with tangent e_i for every i in `indices`, sharing the primal: (e_i, 0) at order 2, the default; (e_i) at order 1. */
export function basisJet(req: LaplacianRequest, indices: number[], order = 2, collapsed = false): Jet {
  const tangents = [basis(tf.tensor1d(indices, 'int32'), inputWidth(req)), ...Array(order - 1).fill(null)];
  return inputJet(req.x, tangents, collapsed);
}

/** R probe vectors (or the subset the caller fixed) as a [R, 1, d+extra] tangent (shared by all points). */
export function probeTangent(req: LaplacianRequest): tf.Tensor3D {
  const V = req.probes ?? sampleProbes(req.d, req.R, req.dist, req.rng);
  const [count] = V.shape;
  const extra = inputWidth(req) - req.d;
  const full = extra ? tf.concat([V, tf.zeros([count, extra])], 1) : V;
  return tf.reshape(full, [count, 1, inputWidth(req)]);
}

export function probeJet(req: LaplacianRequest, order = 2, collapsed = false): Jet {
  return inputJet(req.x, [probeTangent(req), ...Array(order - 1).fill(null)], collapsed);
}
