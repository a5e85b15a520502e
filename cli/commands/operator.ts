/**
 * `stde-bench operator`: evaluate one operator on a model file and a points file, print JSON.
 *
 * Operators: the Laplacian (default; every estimator of operators/registry.ts), the biharmonic
 * (`--operator biharmonic`, operators/biharmonic.ts), the general second-order operator Σ C_ij ∂²u/∂x_i∂x_j
 * (`--operator second-order --coefficients C.json`, operators/second-order.ts) and arbitrary partial derivatives
 * (`--partial "0:2,1:1"`, repeatable; operators/partial-estimators.ts). `--explain` prints how the
 * chosen estimator obtains the operator (for stde: the planned jets, slots, read-outs and
 * coefficients) instead of evaluating it.
 */
import type { Command } from 'commander';
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../../engine/backend.ts';
import { checkDraw, drawKind, getEstimator } from '../../operators/registry.ts';
import { getPartialEstimator } from '../../operators/partial-estimators.ts';
import { getBiharmonicEstimator } from '../../operators/biharmonic.ts';
import { getSecondOrderEstimator } from '../../operators/second-order.ts';
import { loadModel, loadPoints, loadCoefficients, gradsToFile } from '../../model/io.ts';
import { trainableVariables } from '../../model/mlp.ts';
import { rngFromSeed, type Rng } from '../../sampling/rng.ts';
import { PROBE_DISTS, type ProbeDist } from '../../sampling/directions.ts';
import { UsageError } from '../../engine/errors.ts';
import { key, parseMultiIndex, variables, type MultiIndex } from '../../planner/multi-index.ts';
import type { Target } from '../../operators/target.ts';
import { backendOption, int, oneOf, refuseIgnored } from '../options.ts';

const OPERATORS = ['laplacian', 'biharmonic', 'second-order'] as const;
const EXPLAIN_FORMATS = ['text', 'json'] as const;

interface Opts {
  estimator: string;
  model?: string;
  points?: string;
  R: number;
  dist?: ProbeDist;
  samples?: number;
  seed: number;
  grad?: boolean;
  backend: string;
  operator: (typeof OPERATORS)[number];
  coefficients?: string;
  partial: string[];
  explain?: boolean | string;
}

/** One evaluation: u and one [N] value per reported term. */
type Draw = (target: Target, x: tf.Tensor2D, rng: Rng) => { u: tf.Tensor; values: tf.Tensor[] };

interface Evaluation {
  draw: Draw;
  /** Names of the reported terms (partials); absent for a single operator. */
  terms?: string[];
  /** Extra output fields. */
  fields: Record<string, unknown>;
  explain(): { text: string; json: unknown };
  /** Why every draw gives the same values (an exact computation), if they do: --samples then averages nothing. */
  exact?: string;
}

/** --samples n averages n draws: refused where every draw is the same, as --R and --dist are where nothing is drawn. */
function checkSamples(o: Opts, ev: Evaluation): void {
  if (o.samples !== undefined && ev.exact) throw new UsageError(`--samples does nothing here: ${ev.exact}, so every draw gives the same values`);
}

const collect = (v: string, prev: string[]) => [...prev, v];

/** The partials of --partial, checked against the input width when it is known. */
function parsePartials(specs: string[], width?: number): MultiIndex[] {
  return specs.map((s) => {
    const t = parseMultiIndex(s);
    for (const v of variables(t)) {
      if (!/^\d+$/.test(v)) throw new UsageError(`--partial '${s}': variables are coordinate indices 0…d−1, got '${v}'`);
      if (width !== undefined && Number(v) >= width) throw new UsageError(`--partial '${s}': variable index ${v} ≥ d = ${width}`);
    }
    return t;
  });
}

/** The biharmonic's and second-order operator's R and --dist: the stde estimator's dense probes, which the exact ones draw none of. */
function checkDenseProbes(o: Opts, estimator: string): void {
  if (estimator !== 'stde' && o.R > 0) throw new UsageError(`--R does not apply to ${estimator}: it computes the exact operator (the stde estimator takes R probes)`);
  if (o.dist !== undefined && (estimator !== 'stde' || o.R === 0)) throw new UsageError(`--dist applies to --operator ${o.operator} with the stde estimator and R > 0 (its probes) only`);
}

/** Why the biharmonic's or second-order operator's draws are all alike, if they are: an exact estimator, or stde at R = 0. */
const denseExact = (o: Opts, estimator: string): string | undefined =>
  estimator !== 'stde' || o.R === 0 ? `${estimator}${o.R === 0 ? ' at R = 0' : ''} computes the exact operator` : undefined;

function evaluation(o: Opts, d: number | undefined): Evaluation {
  if (o.coefficients !== undefined && o.operator !== 'second-order') throw new UsageError('--coefficients applies to --operator second-order only');
  if (o.partial.length > 0) {
    if (o.operator !== 'laplacian') throw new UsageError(`--partial and --operator ${o.operator} cannot be combined`);
    if (o.R > 0) throw new UsageError('--R does not apply to --partial: partial derivatives are computed exactly');
    if (o.dist !== undefined) throw new UsageError('--dist does not apply to --partial: partial derivatives are computed exactly');
    const est = getPartialEstimator(o.estimator);
    const terms = parsePartials(o.partial, d);
    return {
      draw: (target, x) => est.partials({ target, x, terms }),
      terms: terms.map(key),
      fields: terms.length === 1 ? { operator: 'partial', partial: key(terms[0]) } : { operator: 'partial' },
      explain: () => est.explain(terms),
      exact: 'partial derivatives are computed exactly',
    };
  }
  if (o.operator === 'second-order') {
    const est = getSecondOrderEstimator(o.estimator);
    if (o.coefficients === undefined) throw new UsageError('--operator second-order needs --coefficients FILE (a d × d JSON matrix C)');
    checkDenseProbes(o, est.name);
    let matrix: number[][] | undefined; // read once: every draw uses the same C (and its factor, cached by second-order.ts)
    const C = () => (matrix ??= loadCoefficients(o.coefficients!, d));
    if (d !== undefined) C(); // a bad file fails before anything is evaluated
    return {
      draw: (target, x, rng) => {
        const r = est.secondOrder({ target, x, d: d!, C: C(), R: o.R, dist: o.dist ?? 'rademacher', rng });
        return { u: r.u, values: [r.value] };
      },
      fields: { operator: 'second-order' },
      explain: () => est.explain(C(), o.R),
      exact: denseExact(o, est.name),
    };
  }
  if (o.operator === 'biharmonic') {
    const est = getBiharmonicEstimator(o.estimator);
    checkDenseProbes(o, est.name);
    if (est.name === 'stde' && o.R > 0 && o.dist === 'rademacher') {
      throw new UsageError('the dense biharmonic estimator needs --dist gaussian: Rademacher probes are biased (E = 3Δ²u − 2Σ∂⁴u/∂x_i⁴)');
    }
    const dim = () => {
      if (d === undefined) throw new UsageError('--operator biharmonic --explain needs --model (for the dimension d)');
      return d;
    };
    return {
      draw: (target, x, rng) => {
        const r = est.biharmonic({ target, x, d: dim(), R: o.R, rng });
        return { u: r.u, values: [r.value] };
      },
      fields: { operator: 'biharmonic' },
      explain: () => est.explain(dim(), o.R),
      exact: denseExact(o, est.name),
    };
  }
  const est = getEstimator(o.estimator);
  // R counts sampled dimensions here, or probes in their place (as train takes it). The biharmonic's and
  // the second-order operator's R counts dense probes only, which may outnumber d: their variance is
  // what many probes buy down (a 4th-order Gaussian estimate at d = 3 wants hundreds).
  if (d !== undefined && o.R > d) throw new UsageError(`R = ${o.R} exceeds the dimension d = ${d}`);
  checkDraw(est.name, est, o.R, o.dist); // as train checks them
  if (est.sampling === 'exact' && o.R > 0) throw new UsageError(`--R does not apply to ${est.name}: it computes the exact operator over all d dimensions`);
  return {
    draw: (target, x, rng) => {
      const r = est.laplacian({ target, x, d: d!, R: o.R, dist: o.dist ?? 'rademacher', rng });
      return { u: r.u, values: [r.value] };
    },
    fields: {},
    explain: () => ({ text: `${est.name}: ${est.summary}`, json: { estimator: est.name, summary: est.summary } }),
    exact: {
      exact: `${est.name} computes the exact Laplacian`,
      'R = 0': `${est.name} at R = 0 computes the exact Laplacian`,
      'R = d': `${est.name} at R = d = ${d} samples every dimension`,
      random: undefined,
    }[drawKind(est, o.R, d)],
  };
}

export function register(program: Command): void {
  const cmd = program
    .command('operator')
    .description('evaluate the Laplacian, the biharmonic, a general second-order operator or partial derivatives on a model and points; prints one JSON object')
    .requiredOption('--estimator <name>', 'estimator name (see `stde-bench list`): a Laplacian estimator; stde | nested | jvp-hvp for --partial; stde | nested for --operator biharmonic and second-order')
    .option('--model <file>', 'model JSON file (required; with --explain only for --operator biharmonic, whose plan needs d)')
    .option('--points <file>', 'points JSON file (required unless --explain)')
    .option('--operator <op>', `operator: ${OPERATORS.join(' | ')} (Σ C_ij ∂²u/∂x_i∂x_j, with --coefficients)`, oneOf('operator', OPERATORS), 'laplacian')
    .option('--coefficients <file>', 'the d × d matrix C of --operator second-order (JSON [[C_11..C_1d], ...])')
    .option('--partial <spec>', 'a partial derivative, e.g. "0:2,1:1" = ∂³u/∂x0²∂x1 (repeat for several terms)', collect, [])
    .option('--explain [format]', 'print the plan (jets, slots, read-outs, coefficients) instead of evaluating: text (default) or json')
    .option('--R <r>', 'sampled dimensions / probes (0 = all, exact)', int('R', 0), 0)
    .option('--dist <dist>', 'probe distribution for dense estimators (default rademacher; the biharmonic uses gaussian)', oneOf('distribution', PROBE_DISTS))
    .option('--samples <n>', 'average n independent draws and report the standard error', int('samples', 1))
    .option('--seed <s>', 'random seed', int('seed', 0), 0)
    .option('--grad', 'also print the parameter gradient of sum(values)');
  backendOption(cmd)
    .action(async (o: Opts) => {
      refuseIgnored(cmd, '--explain', ['--samples', '--grad'], 'it prints the plan and evaluates nothing');
      const explain = o.explain === undefined ? undefined : o.explain === true ? 'text' : oneOf('explain format', EXPLAIN_FORMATS)(o.explain as string);
      const print = (ex: { text: string; json: unknown }) => process.stdout.write(explain === 'json' ? JSON.stringify(ex.json) + '\n' : ex.text + '\n');
      const early = evaluation(o, undefined); // unknown names and bad flags fail before the engine starts
      checkSamples(o, early);
      if (explain && !o.model) return void print(early.explain());
      if (!o.model) throw new UsageError("required option '--model <file>' not specified");
      if (!explain && !o.points) throw new UsageError("required option '--points <file>' not specified");
      await initEngine(o.backend);
      const model = loadModel(o.model);
      const d = model.config.dim;
      const ev = evaluation(o, d);
      checkSamples(o, ev); // R = d, known now
      if (explain) return void print(ev.explain());
      const x = loadPoints(o.points!, d);
      const n = o.samples ?? 1;
      const rng = rngFromSeed(o.seed);
      // Running mean and squared deviations per [term][point] (Welford). Without --grad each draw's
      // tensors go with it, so memory does not grow with --samples; with --grad every draw stays on the tape.
      let mean: number[][] = [];
      let m2: number[][] = [];
      let u: number[] = [];
      const target = { model };
      /** Draw s: its values into the running moments; returns the sum of its terms. */
      const drawOnce = (s: number): tf.Tensor => {
        const r = ev.draw(target, x, rng.child(s));
        if (s === 0) {
          u = Array.from(r.u.dataSync());
          mean = r.values.map((v) => new Array<number>(v.size).fill(0));
          m2 = r.values.map((v) => new Array<number>(v.size).fill(0));
        }
        r.values.forEach((v, t) =>
          v.dataSync().forEach((value, p) => {
            const delta = value - mean[t][p];
            mean[t][p] += delta / (s + 1);
            m2[t][p] += delta * (value - mean[t][p]);
          }),
        );
        return r.values.length === 1 ? r.values[0] : tf.addN(r.values);
      };
      const out: Record<string, unknown> = { estimator: o.estimator };
      if (o.grad) {
        const meanValues = () => {
          let sum: tf.Tensor | undefined;
          for (let s = 0; s < n; s++) sum = sum ? tf.add(sum, drawOnce(s)) : drawOnce(s);
          return tf.div(sum!, n);
        };
        const { value, grads } = tf.variableGrads(() => tf.sum(meanValues()) as tf.Scalar, trainableVariables(model));
        value.dispose();
        // A parameter the values do not depend on (e.g. the output bias) gets no entry: its gradient is 0.
        const byVar = new Map(trainableVariables(model).map((v) => [v, grads[v.name] ?? tf.zerosLike(v)]));
        out.paramGrad = gradsToFile(model, byVar);
      } else for (let s = 0; s < n; s++) tf.tidy(() => void drawOnce(s));
      const stderr = m2.map((row) => row.map((q) => (n > 1 ? Math.sqrt(q / (n - 1) / n) : 0)));
      out.values = mean[0];
      out.u = u;
      Object.assign(out, ev.fields);
      if (ev.terms && ev.terms.length > 1) {
        out.terms = ev.terms.map((partial, t) => ({ partial, values: mean[t], ...(o.samples !== undefined ? { stderr: stderr[t] } : {}) }));
      }
      if (o.samples !== undefined) {
        out.samples = n;
        out.stderr = stderr[0];
      }
      // Key order as documented: estimator, values, u, then the optional fields.
      const { estimator: e, values, u: uu, ...rest } = out;
      process.stdout.write(JSON.stringify({ estimator: e, values, u: uu, ...rest }) + '\n');
    });
}
