/** Semilinear reference values (pdes.md §4.2), presets (D6, D7, O2) and samplers (D9, §4.1). */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { setup, randomModel, values } from './helpers.ts';
import { biasedLoss } from '../benchmarks/training/loss.ts';
import { rngFromSeed } from '../sampling/rng.ts';
import { lossContext, setupPde, zeroTarget } from './pdes-helpers.ts';
import { getPde } from '../benchmarks/pdes/registry.ts';
import { resolveRun } from '../benchmarks/training/run-config.ts';
import { makeSchedule } from '../benchmarks/training/schedule.ts';
import { makeEvaluator } from '../benchmarks/training/evaluate.ts';
import * as J from '../taylor/ops.ts';
import { UsageError } from '../engine/errors.ts';
import { spatial, time } from '../benchmarks/pdes/inputs.ts';

before(setup);

const PUBLISHED: Record<string, number[]> = {
  'semilinear-heat': [0.47006, 0.31674, 0.28753, 0.28433],
  'allen-cahn-time': [0.8906, 1.0451, 1.091, 1.11402],
  'sine-gordon-time': [0.322947, 0.0528368, 0.0055896, 0.0005621],
};
const DIMS = [10, 100, 1000, 10000];

for (const [name, refs] of Object.entries(PUBLISHED)) {
  test(`${name}: the reference u(0, 0) is returned for d ∈ {10, 100, 1000, 10000} and refused otherwise`, () => {
    const pde = getPde(name);
    DIMS.forEach((d, k) => {
      const p = setupPde(pde, d);
      assert.equal(p.pointReference!.value, refs[k]);
      assert.deepEqual(p.pointReference!.point, Array(d + 1).fill(0));
    });
    for (const d of [1, 5, 50, 20000]) {
      assert.throws(() => setupPde(pde, d), (e: Error) => e instanceof UsageError && /no reference value for d = \d+/.test(e.message));
      assert.throws(() => resolveRun({ pde: name, dim: d, estimator: 'stde-sparse' }), UsageError);
    }
  });
}

test('sine-gordon-time trains U = d·u under published-tables (O2) and u under paper-text', () => {
  const pde = getPde('sine-gordon-time');
  assert.equal(setupPde(pde, 100).pointReference!.outputScale, 100);
  assert.equal(setupPde(pde, 100, { preset: 'paper-text' }).pointReference!.outputScale, 1);
  assert.equal(setupPde(getPde('semilinear-heat'), 100).pointReference!.outputScale, 1);
});

test('the evaluator compares u = U/outputScale with the reference (sine-gordon-time, d = 100, published-tables)', () => {
  // A constant U = 5 stands for the network: u(0, 0) = 5/100, so rel. L1 = |0.05 − ref|/ref.
  const d = 100;
  const problem = setupPde(getPde('sine-gordon-time'), d);
  const ref = problem.pointReference!;
  assert.equal(ref.outputScale, d);
  const target = zeroTarget(d, 1, (x) => J.shift(J.scale(J.sum(x, -1), 0), 5));
  const errors = makeEvaluator(problem, rngFromSeed(1), 1)!.evaluate(target);
  const expected = Math.abs(5 / d - ref.value) / ref.value;
  assert.ok(Math.abs(errors.rel_l1 - expected) < 1e-6, `rel_l1 ${errors.rel_l1}, expected ${expected}`);
  assert.equal(errors.rel_l2, errors.rel_l1);
});

test('presets: published-tables 100/20 points, lr 1e-3·0.9995^(s/S); paper-text 2000/100, 1e-3·0.9995^s', () => {
  const pub = resolveRun({ pde: 'allen-cahn-time', dim: 10, estimator: 'stde-sparse' });
  assert.deepEqual([pub.points, pub.boundaryPoints, pub.R, pub.steps, pub.evalEvery, pub.model.width], [100, 20, 10, 10000, 100, 1024]);
  const lrPub = makeSchedule(pub.schedule, pub.lr, pub.steps);
  assert.ok(Math.abs(lrPub.lr(10000) - 9.995e-4) < 1e-12);
  const txt = resolveRun({ pde: 'allen-cahn-time', dim: 10, estimator: 'stde-sparse', options: { preset: 'paper-text' } });
  assert.deepEqual([txt.points, txt.boundaryPoints], [2000, 100]);
  const lrTxt = makeSchedule(txt.schedule, txt.lr, txt.steps);
  assert.ok(Math.abs(lrTxt.lr(10000) - 1e-3 * Math.pow(0.9995, 10000)) < 1e-12);
  assert.ok(Math.abs(lrTxt.lr(10000) - 6.73e-6) < 1e-8);
  const lin = resolveRun({ pde: 'allen-cahn-two-body', dim: 10, estimator: 'stde-sparse' });
  const lrLin = makeSchedule(lin.schedule, lin.lr, lin.steps);
  assert.deepEqual([lrLin.lr(0), lrLin.lr(5000), lrLin.lr(10000)], [1e-3, 5e-4, 0]);
});

test('--sampler brownian-paths: residual points along paths (pdes.md §4.1), the default the marginal law (D9); the label says which', () => {
  const pde = getPde('semilinear-heat');
  const paths = setupPde(pde, 10, { sampler: 'brownian-paths' });
  const data = paths.sample(rngFromSeed(1), { points: 40, boundaryPoints: 20 }) as { x: tf.Tensor2D };
  const t = Array.from(tf.slice(data.x, [0, 10], [-1, 1]).dataSync());
  t.forEach((v, i) => assert.ok(Math.abs(v - (i % 20) * (0.3 / 20)) < 1e-6, `t[${i}] = ${v}`));
  assert.match(paths.labels.sampling, /paths of √2·W/);
  assert.match(setupPde(pde, 10).labels.sampling, /N\(0, 2t I\) \(D9\)/);
  assert.throws(() => resolveRun({ pde: 'semilinear-heat', dim: 10, estimator: 'stde-sparse', options: { sampler: 'volume-uniform' } }), /unknown --sampler 'volume-uniform' \(expected one of: marginal, brownian-paths\)/);
});

test('the terminal-gradient term: 20·0.05·mean over points and coordinates under published-tables, d times that (the squared norm of Eq. 56) under paper-text (O1)', () => {
  const d = 10;
  const model = randomModel({ dim: d, extraInputs: 1, width: 8, depth: 2 }, 3);
  const term = (preset: string) => {
    const cfg = resolveRun({ pde: 'semilinear-heat', dim: d, estimator: 'stde-sparse', options: { preset } });
    const problem = cfg.pde.setup({ d, options: cfg.options, coefficients: rngFromSeed(5), method: cfg.method });
    // The same points under both presets: same sampler, same stream.
    const data = problem.sample(rngFromSeed(1), { points: 8, boundaryPoints: 6 });
    const ctx = { target: { model }, method: { name: cfg.method, estimator: cfg.estimator }, R: cfg.R, dist: cfg.dist, rng: rngFromSeed(2) };
    const part = problem.residuals(data, ctx).find((p) => p.name === 'terminal-gradient')!;
    return { weight: part.weight, r: values(part.r), loss: biasedLoss([part]).dataSync()[0] };
  };
  const [tables, text] = [term('published-tables'), term('paper-text')];
  assert.equal(tables.r.length, 6 * d);
  assert.deepEqual(text.r, tables.r);
  assert.ok(tables.loss > 0);
  assert.equal(tables.weight, 20 * 0.05);
  assert.equal(text.weight, 20 * 0.05 * d);
  assert.ok(Math.abs(text.loss / tables.loss - d) < 1e-5 * d, `loss ratio ${text.loss / tables.loss}`);
});

// The pde part U_t + ΔU + s·N(U/s) on U = ½‖x‖² + 2t + 1 (U_t = 2, ΔU = d) against N of pdes.md §4.2, with
// s = d for sine-gordon-time under published-tables (O2: U = d·u, U_t + ΔU + d·sin(U/d) = 0), else s = 1.
const SEMILINEAR_N: Record<string, (u: number) => number> = {
  'semilinear-heat': (u) => (1 - u * u) / (1 + u * u),
  'allen-cahn-time': (u) => u - u ** 3,
  'sine-gordon-time': Math.sin,
};
for (const [name, N] of Object.entries(SEMILINEAR_N)) {
  for (const preset of ['published-tables', 'paper-text']) {
    const scaled = name === 'sine-gordon-time' && preset === 'published-tables';
    test(`${name} (${preset}): the pde part of U = ½‖x‖² + 2t + 1 is U_t + ΔU + ${scaled ? 'd·N(U/d) (O2)' : 'N(U)'}`, () => {
      const d = 10;
      const problem = setupPde(getPde(name), d, { preset }, 'stde-sparse');
      tf.tidy(() => {
        const data = problem.sample(rngFromSeed(1), { points: 8, boundaryPoints: 4 }) as { x: tf.Tensor2D };
        const target = zeroTarget(d, 1, (x) => J.shift(J.add(J.scale(J.sumSquares(spatial(x, d)), 0.5), J.scale(time(x, d), 2)), 1));
        const ctx = lossContext(target, 'stde-sparse', d, 2);
        const part = problem.residuals(data, ctx).find((p) => p.name === 'pde')!;
        assert.equal(part.weight, 1);
        const s = scaled ? d : 1;
        const expected = data.x.arraySync().map((row) => {
          const U = 0.5 * row.slice(0, d).reduce((a, v) => a + v * v, 0) + 2 * row[d] + 1;
          return 2 + d + s * N(U / s);
        });
        const r = values(part.r);
        assert.equal(r.length, expected.length);
        r.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) <= 1e-4 * Math.max(1, Math.abs(expected[i])), `r[${i}] = ${v}, expected ${expected[i]}`));
      });
    });
  }
}
