/**
 * Every estimator's values, u and parameter gradient on one small model, on the current backend.
 * Used by webgpu-backend.test.ts, which runs it in-process on webgpu and, as a script, on cpu:
 *   node --import tsx test/webgpu-reference.ts <backend>   → prints the JSON.
 * Models, points, sampled indices and probes all come from seeded JS generators, so every backend
 * gets identical inputs.
 */
import * as tf from '@tensorflow/tfjs';
import { pathToFileURL } from 'node:url';
import { randomModel, randomPoints } from './helpers.ts';
import { initEngine } from '../engine/backend.ts';
import { ESTIMATORS } from '../operators/registry.ts';
import { zeroBoundaryBall, type Target } from '../operators/target.ts';
import { trainableVariables } from '../model/mlp.ts';
import { rngFromSeed } from '../sampling/rng.ts';
import type { ProbeDist } from '../sampling/directions.ts';

export interface Estimate {
  value: number[];
  u: number[];
  grad: number[];
}

export async function estimates(): Promise<Record<string, Estimate>> {
  const d = 5;
  const model = randomModel({ dim: d, width: 12, depth: 3 }, 41);
  const target: Target = { model, ansatz: zeroBoundaryBall(d) };
  const x = randomPoints(4, d, 9, 0.5);
  const vars = trainableVariables(model);
  const out: Record<string, Estimate> = {};
  for (const e of ESTIMATORS) {
    const dists: ProbeDist[] = e.sampling === 'probes' ? ['rademacher', 'gaussian'] : ['rademacher'];
    for (const dist of dists) {
      const R = e.sampling === 'exact' ? 0 : 2;
      const req = () => ({ target, x, d, R, dist, rng: rngFromSeed(`webgpu-ref-${e.name}-${dist}`) });
      const r = e.laplacian(req());
      const [value, u] = [Array.from(await r.value.data()), Array.from(await r.u.data())];
      tf.dispose([r.value, r.u, ...(r.terms ? [r.terms] : [])]);
      // A PINN-like loss so that the gradient flows through both the estimate and u.
      const { value: loss, grads } = tf.variableGrads(() =>
        tf.tidy(() => {
          const s = e.laplacian(req());
          return tf.add(tf.mean(tf.square(s.value)), tf.mean(s.u)) as tf.Scalar;
        }),
      vars);
      const flat = tf.concat(vars.map((v) => tf.reshape(grads[v.name] ?? tf.zerosLike(v), [-1])));
      const grad = Array.from(await flat.data());
      tf.dispose([loss, flat, ...Object.values(grads)]);
      out[`${e.name}/${dist}`] = { value, u, grad };
    }
  }
  return out;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await initEngine(process.argv[2] ?? 'cpu');
  process.stdout.write(JSON.stringify(await estimates()) + '\n');
}
