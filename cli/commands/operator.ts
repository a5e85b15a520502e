/** `stde-bench operator`: evaluate one estimator on a model file and a points file, print JSON. */
import type { Command } from 'commander';
import * as tf from '@tensorflow/tfjs';
import { initEngine, BACKENDS, DEFAULT_BACKEND } from '../../engine/backend.ts';
import { getEstimator } from '../../operators/registry.ts';
import { loadModel, loadPoints, gradsToFile } from '../../model/io.ts';
import { trainableVariables } from '../../model/mlp.ts';
import { rngFromSeed } from '../../sampling/rng.ts';
import { PROBE_DISTS, type ProbeDist } from '../../sampling/directions.ts';
import { UsageError } from '../../engine/errors.ts';
import { int, oneOf } from '../options.ts';

interface Opts {
  estimator: string;
  model: string;
  points: string;
  R: number;
  dist: ProbeDist;
  samples?: number;
  seed: number;
  grad?: boolean;
  backend: string;
}

export function register(program: Command): void {
  program
    .command('operator')
    .description('evaluate a Laplacian estimator on a model and points; prints one JSON object')
    .requiredOption('--estimator <name>', 'estimator name (see `stde-bench list`)')
    .requiredOption('--model <file>', 'model JSON file')
    .requiredOption('--points <file>', 'points JSON file')
    .option('--R <r>', 'sampled dimensions / probes (0 = all, exact)', int('R', 0), 0)
    .option('--dist <dist>', 'probe distribution for dense estimators', oneOf('distribution', PROBE_DISTS), 'rademacher')
    .option('--samples <n>', 'average n independent draws and report the standard error', int('samples', 1))
    .option('--seed <s>', 'random seed', int('seed', 0), 0)
    .option('--grad', 'also print the parameter gradient of sum(values)')
    .option('--backend <b>', `tfjs backend (${BACKENDS.join(', ')})`, DEFAULT_BACKEND)
    .action(async (o: Opts) => {
      const estimator = getEstimator(o.estimator);
      await initEngine(o.backend);
      const model = loadModel(o.model);
      const d = model.config.dim;
      const x = loadPoints(o.points, d);
      if (o.R > d) throw new UsageError(`R = ${o.R} exceeds the dimension d = ${d}`);
      if (estimator.sampling === 'probes' && o.R === 0) throw new UsageError(`${estimator.name} needs R > 0 probe vectors`);
      const n = o.samples ?? 1;
      const rng = rngFromSeed(o.seed);
      const draws: number[][] = [];
      let u: number[] = [];
      const target = { model };
      const meanValues = () => {
        const vals: tf.Tensor[] = [];
        for (let s = 0; s < n; s++) {
          const r = estimator.laplacian({ target, x, d, R: o.R, dist: o.dist, rng: rng.child(s) });
          vals.push(r.value);
          if (s === 0) u = Array.from(r.u.dataSync());
          draws.push(Array.from(r.value.dataSync()));
        }
        return tf.div(tf.addN(vals), n) as tf.Scalar;
      };
      const out: Record<string, unknown> = { estimator: estimator.name };
      if (o.grad) {
        const { value, grads } = tf.variableGrads(() => tf.sum(meanValues()) as tf.Scalar, trainableVariables(model));
        value.dispose();
        // A parameter the values do not depend on (e.g. the output bias) gets no entry: its gradient is 0.
        const byVar = new Map(trainableVariables(model).map((v) => [v, grads[v.name] ?? tf.zerosLike(v)]));
        out.paramGrad = gradsToFile(model, byVar);
      } else tf.tidy(() => void meanValues());
      const points = x.shape[0];
      const mean = [...Array(points).keys()].map((p) => draws.reduce((a, dr) => a + dr[p], 0) / n);
      out.values = mean;
      out.u = u;
      if (o.samples !== undefined) {
        out.samples = n;
        out.stderr = mean.map((m, p) =>
          n > 1 ? Math.sqrt(draws.reduce((a, dr) => a + (dr[p] - m) ** 2, 0) / (n - 1) / n) : 0,
        );
      }
      // Key order as documented: estimator, values, u, then the optional fields.
      const { estimator: e, values, u: uu, ...rest } = out;
      process.stdout.write(JSON.stringify({ estimator: e, values, u: uu, ...rest }) + '\n');
    });
}
