/** Helpers of the PDE tests: set a PDE up at small d, a target that *is* its exact solution, a step's loss context. */
import * as tf from '@tensorflow/tfjs';
import * as J from '../taylor/ops.ts';
import type { LossContext, PDE, Problem } from '../benchmarks/pdes/pde.ts';
import type { JetFunction, Target } from '../operators/target.ts';
import { getEstimator } from '../operators/registry.ts';
import type { ProbeDist } from '../sampling/directions.ts';
import { rngFromSeed } from '../sampling/rng.ts';
import { randomModel } from './helpers.ts';

export function setupPde(pde: PDE, d: number, options: Record<string, string> = {}, method = 'nested', seed = 5): Problem {
  const opts = Object.fromEntries(pde.options.map((o) => [o.flag, options[o.flag] ?? o.default]));
  return pde.setup({ d, options: opts, coefficients: rngFromSeed(seed).child('coefficients'), method });
}

/** u = 0·N (+ shift): a tiny network scaled by 0, so every derivative of it is 0 for every method. */
export function zeroTarget(d: number, extraInputs = 0, shift?: JetFunction): Target {
  return {
    model: randomModel({ dim: d, extraInputs, width: 4, depth: 2 }),
    ansatz: { name: shift ? 'exact' : 'zero', scale: (x) => J.scale(J.sum(J.sliceLast(x, 0, 1), -1), 0), shift },
  };
}

/** u = 0·N + u*: every estimator then differentiates the exact solution itself. */
export function exactTarget(problem: Problem, d: number): Target {
  return zeroTarget(d, problem.domain.extraInputs, problem.exact!);
}

/** Δ of a plain function over the first d inputs by nested reverse mode, one coordinate at a time. */
export function nestedLaplacian(f: (x: tf.Tensor) => tf.Tensor, x: tf.Tensor2D, d: number): tf.Tensor1D {
  const col = (t: tf.Tensor, i: number) => tf.reshape(tf.slice(t, [0, i], [-1, 1]), [-1]);
  const grad = tf.grad((y: tf.Tensor) => tf.sum(f(y)));
  const diag = Array.from({ length: d }, (_, i) => col(tf.grad((y: tf.Tensor) => tf.sum(col(grad(y), i)))(x), i));
  return tf.addN(diag) as tf.Tensor1D;
}

/** A step's loss context: the registered estimator `method` at R, its draw from the stream of `seed`. */
export function lossContext(target: Target, method: string, R: number, seed: number, dist: ProbeDist = 'rademacher'): LossContext {
  return { target, method: { name: method, estimator: getEstimator(method) }, R, dist, rng: rngFromSeed(seed) };
}
