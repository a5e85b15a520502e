/**
 * The estimated Poisson source (`--source estimated`, O4): f̂ is the training method's estimate of Δu*
 * on the exact solution, with its own draw. Checked against nested reverse-mode AD of u* with the draw
 * recomputed from its stream, through the PDE's residual (on a target whose Laplacian is 0, r = −f̂).
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { setup, assertClose, values } from './helpers.ts';
import { lossContext, setupPde, zeroTarget } from './pdes-helpers.ts';
import { PDES } from '../benchmarks/pdes/registry.ts';
import type { LossContext, Problem } from '../benchmarks/pdes/pde.ts';
import { getEstimator } from '../operators/registry.ts';
import { networkOf, type Target } from '../operators/target.ts';
import { sampleIndices, sampleProbes, type ProbeDist } from '../sampling/directions.ts';
import { rngFromSeed } from '../sampling/rng.ts';
import { perBlock, ROW_BLOCK_FLOATS } from '../engine/row-blocks.ts';
import { UsageError } from '../engine/errors.ts';
import { estimatedSource } from '../benchmarks/pdes/estimated-source.ts';

before(setup);

const pdeNamed = (name: string) => PDES.find((p) => p.name === name)!;

/** Every PDE that offers `--source estimated`: one added later is checked without an edit here. */
const ESTIMATED = PDES.filter((p) => p.options.some((o) => o.flag === 'source' && o.choices.includes('estimated'))).map((p) => p.name);

test('the PDEs that offer the estimated source are found (the tests below run over them)', () => {
  for (const name of ['poisson-cube', 'poisson-houman']) assert.ok(ESTIMATED.includes(name), `${name} in ${ESTIMATED.join(', ')}`);
});

const STEP_SEED = 31;

/** On u = 0·N (zeroTarget) every method's Laplacian estimate is 0, so the PDE residual is −f. */
function context(d: number, method: string, R: number, dist: ProbeDist = 'rademacher'): LossContext {
  return lossContext(zeroTarget(d), method, R, STEP_SEED, dist);
}

/** The source f the PDE's residual uses at the points of seed 21 (x returned too). */
function sourceOf(problem: Problem, ctx: LossContext): { x: tf.Tensor2D; f: number[] } {
  const data = problem.sample(rngFromSeed(21), { points: 5, boundaryPoints: 0 }) as { x: tf.Tensor2D };
  const pde = problem.residuals(data, ctx).find((p) => p.name === 'pde')!;
  return { x: data.x, f: values(tf.neg(pde.r)) };
}

const col = (t: tf.Tensor, i: number) => tf.reshape(tf.slice(t, [0, i], [-1, 1]), [-1]);
const exactFn = (problem: Problem) => (y: tf.Tensor) => problem.exact!(y).primal;

/** The second partial of u* in x_i by nested reverse mode, [N]. */
function secondPartial(problem: Problem, x: tf.Tensor2D, i: number): tf.Tensor1D {
  const grad = tf.grad((y: tf.Tensor) => tf.sum(exactFn(problem)(y)));
  return col(tf.grad((y: tf.Tensor) => tf.sum(col(grad(y), i)))(x), i) as tf.Tensor1D;
}

/** vᵀ∇²u* v by nested reverse mode (the gradient of ∇u*·v), [N]. */
function curvature(problem: Problem, x: tf.Tensor2D, v: tf.Tensor1D): tf.Tensor1D {
  const grad = tf.grad((y: tf.Tensor) => tf.sum(exactFn(problem)(y)));
  return tf.sum(tf.mul(tf.grad((y: tf.Tensor) => tf.sum(tf.mul(grad(y), v)))(x), v), 1) as tf.Tensor1D;
}

for (const name of ESTIMATED) {
  for (const method of ['stde-sparse', 'nested', 'forward-over-backward']) {
    test(`${name}, ${method}: the estimated source is (d/R)·Σ ∂²u*/∂x_i² over its own index set, not the estimator's`, () => {
      tf.tidy(() => {
        const d = 7;
        const R = 3;
        const problem = setupPde(pdeNamed(name), d, { source: 'estimated' }, method);
        const { x, f } = sourceOf(problem, context(d, method, R));
        const own = sampleIndices(d, R, rngFromSeed(STEP_SEED).child('source'));
        assert.notDeepEqual(own, sampleIndices(d, R, rngFromSeed(STEP_SEED)), 'the source draw should be independent of the estimator draw');
        const expected = tf.mul(tf.addN(own.map((i) => secondPartial(problem, x, i))), d / R);
        assertClose(f, values(expected), 1e-4, 'f̂');
        const analytic = sourceOf(setupPde(pdeNamed(name), d, {}, method), context(d, method, R)).f;
        assert.ok(f.some((v, n) => Math.abs(v - analytic[n]) > 1e-3 * Math.abs(analytic[n])), 'an estimate with R < d should differ from Δu*');
      });
    });
  }

  test(`${name}: with probes the estimated source is (1/R)·Σ vᵀ∇²u* v over its own probes`, () => {
    tf.tidy(() => {
      const d = 6;
      const R = 4;
      const problem = setupPde(pdeNamed(name), d, { source: 'estimated' }, 'stde-dense');
      const { x, f } = sourceOf(problem, context(d, 'stde-dense', R, 'gaussian'));
      const V = tf.unstack(sampleProbes(d, R, 'gaussian', rngFromSeed(STEP_SEED).child('source'))) as tf.Tensor1D[];
      assertClose(f, values(tf.div(tf.addN(V.map((v) => curvature(problem, x, v))), R)), 1e-4, 'f̂');
    });
  });

  test(`${name}: an exact method, or R = 0, uses Δu* itself as the estimated source`, () => {
    tf.tidy(() => {
      const d = 5;
      for (const [method, R] of [['forward-laplacian', 3], ['stde-sparse', 0]] as const) {
        const estimated = sourceOf(setupPde(pdeNamed(name), d, { source: 'estimated' }, method), context(d, method, R)).f;
        const analytic = sourceOf(setupPde(pdeNamed(name), d, {}, method), context(d, method, R)).f;
        assert.deepEqual(estimated, analytic, `${method}, R = ${R}`);
      }
    });
  });
}

for (const name of ESTIMATED) {
  test(`${name}: the closed-form Σ ∂²u*/∂x_i² over an index set equals u*'s jets over it, and over all d it is Δu*`, () => {
    tf.tidy(() => {
      const d = 9;
      const problem = setupPde(pdeNamed(name), d, { source: 'estimated' }, 'stde-sparse');
      // R = 8: both ends' neighbours in play for most draws; the draw is the same in both forms.
      const ctx = context(d, 'stde-sparse', 8);
      const { x, f } = sourceOf(problem, ctx);
      const jetsOnly = { jets: problem.exact!, laplacian: () => assert.fail('an index set is not exact') };
      assertClose(f, values(estimatedSource(jetsOnly, x, d, ctx)), 1e-4, 'closed form vs jets');
      const all = sourceOf(problem, context(d, 'stde-sparse', d)).f;
      assertClose(all, sourceOf(setupPde(pdeNamed(name), d, {}, 'stde-sparse'), context(d, 'stde-sparse', d)).f, 1e-4, 'R = d: Δu*');
    });
  });
}

test('poisson-cube: Rademacher probes estimate Δu* exactly (its Hessian is diagonal and v_i² = 1)', () => {
  tf.tidy(() => {
    const d = 9;
    const estimated = sourceOf(setupPde(pdeNamed('poisson-cube'), d, { source: 'estimated' }, 'stde-collapsed-dense'), context(d, 'stde-collapsed-dense', 2)).f;
    const analytic = sourceOf(setupPde(pdeNamed('poisson-cube'), d, {}, 'stde-collapsed-dense'), context(d, 'stde-collapsed-dense', 2)).f;
    assertClose(estimated, analytic, 1e-5, 'f̂');
  });
});

test('the estimated source in blocks of rows and of directions (large d): the blocks share one draw', () => {
  tf.tidy(() => {
    // u* = (1/d)·Σ exp(x_i) has ∇²u* = diag(exp(x)/d): f̂ = (1/R)·Σ_{i∈J} exp(x_i), or (1/(R·d))·Σ_r Σ_i v_ri²·exp(x_i).
    const d = 2 ** 17;
    const R = 16;
    const budget = ROW_BLOCK_FLOATS; // the source's block budget on every backend
    assert.ok(perBlock(d, budget) < R, 'one row of all R directions should exceed the block budget');
    const own = () => rngFromSeed(STEP_SEED).child('source');
    for (const method of ['stde-sparse', 'stde-dense']) {
      const problem = setupPde(pdeNamed('poisson-cube'), d, { source: 'estimated' }, method);
      const { x, f } = sourceOf(problem, context(d, method, R, 'gaussian'));
      assert.ok(x.shape[0] > 1, 'several rows');
      const expected =
        method === 'stde-sparse'
          ? tf.div(tf.sum(tf.exp(tf.gather(x, sampleIndices(d, R, own()), 1)), 1), R)
          : tf.div(tf.sum(tf.matMul(tf.square(sampleProbes(d, R, 'gaussian', own())), tf.exp(x), false, true), 0), R * d);
      assertClose(f, values(expected), 1e-4, method);
    }
  });
});

test('a closed-form target: the jet and nested estimators differentiate it; those that need the layers refuse in one line', () => {
  tf.tidy(() => {
    const d = 5;
    const problem = setupPde(pdeNamed('poisson-cube'), d);
    const target: Target = { model: problem.exact! };
    const x = tf.randomUniform([4, d], 0, 1, 'float32', 3) as tf.Tensor2D;
    const analytic = values(tf.mean(tf.exp(x), 1));
    for (const name of ['stde-sparse', 'stde-collapsed', 'forward-laplacian', 'nested', 'nested-batched', 'nested-checkpointed']) {
      const { value } = getEstimator(name).laplacian({ target, x, d, R: 0, dist: 'rademacher', rng: rngFromSeed(1) });
      assertClose(values(value), analytic, 1e-4, name);
    }
    const oneLine = (e: Error) => e instanceof UsageError && /cannot be applied to a closed-form function/.test(e.message) && !e.message.includes('\n');
    assert.throws(() => getEstimator('forward-over-backward').laplacian({ target, x, d, R: 0, dist: 'rademacher', rng: rngFromSeed(1) }), oneLine);
    assert.throws(() => networkOf(target, 'jvp-hvp'), oneLine);
  });
});
