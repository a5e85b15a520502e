/**
 * The parameter gradient through every estimator matches central finite differences along a
 * random direction in parameter space (same index set / probes for every evaluation).
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { setup, randomModel, randomPoints } from './helpers.ts';
import { ESTIMATORS } from '../operators/registry.ts';
import { zeroBoundaryBall, type Target } from '../operators/target.ts';
import { trainableVariables } from '../model/mlp.ts';
import { rngFromSeed } from '../sampling/rng.ts';

before(setup);

// Two losses: a PINN step's (estimate and u both carry gradient), and the estimate alone, where every
// gradient path runs through the second-order coefficients (in the first, u's share can hide an error there).
const LOSSES = {
  'estimate² + u': (value: tf.Tensor, u: tf.Tensor) => tf.add(tf.mean(tf.square(value)), tf.mean(u)),
  'estimate alone': (value: tf.Tensor) => tf.mean(value),
};

for (const e of ESTIMATORS) {
  for (const [block, lossName, sharing] of [[1, 'estimate² + u'], [2, 'estimate² + u'], [2, 'estimate² + u', 'conv'], [1, 'estimate alone']] as const) {
    test(`parameter gradient through ${e.name} matches finite differences (block ${block}${sharing ? ` ${sharing}` : ''}, loss ${lossName})`, () => {
      const d = 4;
      const model = randomModel({ dim: d, width: 8, depth: 3, block, sharing }, 31);
      const target: Target = { model, ansatz: zeroBoundaryBall(d) };
      // For the estimate alone, points spread wider: tanh far from linear, so every second-order term counts.
      const x = randomPoints(3, d, 5, lossName === 'estimate alone' ? 2 : 0.5);
      const R = e.sampling === 'exact' ? 0 : 2;
      const loss = () =>
        tf.tidy(() => {
          const r = e.laplacian({ target, x, d, R, dist: 'rademacher', rng: rngFromSeed(77) });
          return LOSSES[lossName](r.value, r.u) as tf.Scalar;
        });
      const vars = trainableVariables(model);
      const { grads } = tf.variableGrads(loss, vars);
      const dirRng = rngFromSeed(`dir-${e.name}`);
      const dirs = vars.map((v) => tf.randomNormal(v.shape, 0, 1, 'float32', dirRng.int31()));
      const analytic = vars.reduce((acc, v, i) => acc + (grads[v.name] ? tf.sum(tf.mul(grads[v.name], dirs[i])).dataSync()[0] : 0), 0);
      const eps = 3e-3;
      const shift = (s: number) => vars.forEach((v, i) => v.assign(tf.add(v, tf.mul(dirs[i], s))));
      shift(eps);
      const plus = loss().dataSync()[0];
      shift(-2 * eps);
      const minus = loss().dataSync()[0];
      shift(eps);
      const numeric = (plus - minus) / (2 * eps);
      assert.ok(
        Math.abs(numeric - analytic) <= 2e-2 * Math.max(1, Math.abs(analytic)),
        `analytic ${analytic} vs finite difference ${numeric}`,
      );
    });
  }
}
