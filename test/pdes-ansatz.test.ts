/**
 * Hard-constraint ansatzes (pdes.md §1.3, §6): u = a·NN + b must meet the boundary, initial or
 * terminal data for ANY network, not only for the exact solution the other PDE tests put in NN's
 * place (their exactTarget replaces the ansatz, so a wrong one went unnoticed).
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { setup, randomModel, values } from './helpers.ts';
import { setupPde } from './pdes-helpers.ts';
import { PDES, getPde } from '../benchmarks/pdes/registry.ts';
import type { PDE, Problem } from '../benchmarks/pdes/pde.ts';
import { inputGradient, column } from '../operators/reverse.ts';
import { evalTarget, type Target } from '../operators/target.ts';
import { constant } from '../taylor/jet.ts';
import { rngFromSeed } from '../sampling/rng.ts';

before(setup);

const dimOf = (pde: PDE) => pde.fixedDim ?? pde.dims?.[0] ?? Math.max(pde.minDim, 4);

/** The problem's ansatz around a random (non-zero) network. */
const withNetwork = (problem: Problem, d: number): Target => ({
  model: randomModel({ dim: d, extraInputs: problem.domain.extraInputs, width: 8, depth: 2 }, 3),
  ansatz: problem.ansatz,
});

/** u* on plain points: the exact solution, else the reference. */
const solution = (problem: Problem, x: tf.Tensor2D) => values(problem.exact ? problem.exact(x).primal : problem.reference!(x));

/** The same points with the time column (the last) set to t. */
const atTime = (x: tf.Tensor2D, t: number) => tf.concat([tf.slice(x, [0, 0], [-1, x.shape[1] - 1]), tf.fill([x.shape[0], 1], t)], 1) as tf.Tensor2D;

for (const pde of PDES) {
  test(`${pde.name}: u = u* where the ansatz's scale vanishes, for a random network`, (t) => {
    const d = dimOf(pde);
    const problem = setupPde(pde, d);
    if (!problem.ansatz) return t.skip('no ansatz');
    tf.tidy(() => {
      const { domain } = problem;
      const target = withNetwork(problem, d);
      const rng = rngFromSeed(11);
      // Candidate sets: the domain's boundary (sphere, or t = T for terminal-value PDEs) and, with a
      // time input, the initial slice t = 0 (wave). The ansatz must vanish on all of one of them.
      const candidates: Record<string, tf.Tensor2D> = { boundary: domain.boundary(8, rng.child('boundary')) };
      if (domain.extraInputs) candidates['t = 0'] = atTime(domain.interior(8, rng.child('initial')), 0);
      const scale = problem.ansatz!.scale;
      const enforced = Object.entries(candidates).filter(([, x]) => scale && values(scale(constant(x)).primal).every((a) => Math.abs(a) < 1e-5));
      assert.ok(enforced.length > 0, `${pde.name}: the ansatz's scale vanishes on none of ${Object.keys(candidates).join(', ')}`);
      for (const [where, x] of enforced) {
        // Absolute (u* is 0 on the sphere): float32 rounding of a, times NN, is ~1e-7.
        const u = values(evalTarget(target, x));
        const ue = solution(problem, x);
        u.forEach((v, i) => assert.ok(Math.abs(v - ue[i]) <= 1e-4 * Math.max(1, Math.abs(ue[i])), `${pde.name}: u on ${where}[${i}] = ${v}, u* = ${ue[i]}`));
      }
      // The network does contribute inside, so the equality above is the ansatz's doing.
      const inside = domain.interior(8, rng.child('interior'));
      const gap = Math.max(...values(tf.abs(tf.sub(evalTarget(target, inside), solution(problem, inside)))));
      assert.ok(gap > 1e-3, `${pde.name}: u = u* inside too (max gap ${gap}): the network is not exercised`);
    });
  });
}

test('wave: the ansatz t²·NN + Σ sinh(x_i) gives u_t(x, 0) = 0 for a random network', () => {
  // u(x, 0) alone does not pin t² (t·NN meets it too): the second initial condition does.
  const pde = getPde('wave');
  const d = 3;
  const problem = setupPde(pde, d);
  tf.tidy(() => {
    const x = problem.domain.interior(8, rngFromSeed(12));
    const target = withNetwork(problem, d);
    const ut0 = values(column(inputGradient(target, atTime(x, 0)), d));
    const worst = Math.max(...ut0.map(Math.abs));
    assert.ok(worst < 1e-5, `u_t(x, 0) should vanish, max |u_t| = ${worst}`);
    // Away from t = 0 the network moves u_t, so the zero above is not vacuous.
    const ut = values(column(inputGradient(target, atTime(x, 0.5)), d));
    const exact = values(column(tf.grad((y: tf.Tensor) => tf.sum(problem.exact!(y).primal))(atTime(x, 0.5)), d));
    assert.ok(ut.some((v, i) => Math.abs(v - exact[i]) > 1e-3), 'u_t(x, 0.5) = u*_t: the network is not exercised');
  });
});
