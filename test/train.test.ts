/**
 * Training (pdes.md §8–§10): short runs learn, runs are reproducible from the seed, a non-finite
 * loss ends the run as `diverged`, tensors do not leak, and every PDE trains with every method it
 * declares.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { setup, TEST_BACKEND, values } from './helpers.ts';
import { resolveRun, type RunRequest } from '../benchmarks/training/run-config.ts';
import { train, buildRun, runStreams } from '../benchmarks/training/train.ts';
import { makeEvaluator } from '../benchmarks/training/evaluate.ts';
import { evalTarget } from '../operators/target.ts';
import { TIMING_FIELDS, type TrainRecord } from '../benchmarks/training/record.ts';
import { getPde, PDES } from '../benchmarks/pdes/registry.ts';
import { rngFromSeed } from '../sampling/rng.ts';
import { setupPde, zeroTarget } from './pdes-helpers.ts';
import * as J from '../taylor/ops.ts';

before(setup);

const small: Partial<RunRequest> = { dim: 5, R: 3, width: 16, depth: 3, testPoints: 1000, evalEvery: 100 };

const run = (req: Partial<RunRequest> & { pde: string; estimator: string }) => train(resolveRun({ ...small, ...req } as RunRequest), TEST_BACKEND);

const withoutTiming = (r: TrainRecord) => Object.fromEntries(Object.entries(r).filter(([k]) => !(TIMING_FIELDS as readonly string[]).includes(k)));

for (const pde of ['allen-cahn-two-body', 'poisson-three-body']) {
  for (const estimator of ['stde-sparse', 'nested']) {
    test(`${pde} with ${estimator}: 200 steps at d = 5 cut the relative L2 error by a clear factor`, async () => {
      const r = await run({ pde, estimator, steps: 200 });
      assert.equal(r.status, 'ok');
      assert.equal(r.evals.length, 2);
      assert.ok(r.rel_l2_initial! > 0.3, `initial error ${r.rel_l2_initial}`);
      assert.ok(r.rel_l2_final! < r.rel_l2_initial! / 4, `rel L2 ${r.rel_l2_initial} → ${r.rel_l2_final}`);
      assert.ok(r.rel_l2_best! <= r.rel_l2_final!);
      assert.ok(r.rel_l1_final! < r.rel_l1_initial! / 4);
    });
  }
}

test('same seed and backend give an identical record (timing aside); another seed does not', async () => {
  const req = { pde: 'sine-gordon-three-body', estimator: 'stde-sparse', steps: 30, evalEvery: 10, width: 16 };
  const a = await run(req);
  const b = await run(req);
  assert.deepEqual(withoutTiming(a), withoutTiming(b));
  assert.ok(a.step_ms.length > 0 && a.it_per_s! > 0);
  const c = await run({ ...req, seed: 1 });
  assert.notEqual(c.rel_l2_final, a.rel_l2_final);
  // The experiment seed alone moves the coefficients c_i, hence the solution.
  const e = await run({ ...req, experimentSeed: 3 });
  assert.notEqual(e.rel_l2_initial, a.rel_l2_initial);
});

// D16: the coefficients c_i come from the experiment seed alone, shared by the runs of one experiment.
const draws = (rng: { uniform(): number }) => Array.from({ length: 4 }, () => rng.uniform());

test('seed streams: the coefficients are shared by every run of an experiment and move with the experiment seed', () => {
  assert.deepEqual(draws(runStreams(0, 0).coefficients), draws(runStreams(0, 1).coefficients));
  assert.notDeepEqual(draws(runStreams(0, 0).coefficients), draws(runStreams(3, 0).coefficients));
  // The run's own draws do move with the run seed.
  assert.notDeepEqual(draws(runStreams(0, 0).init), draws(runStreams(0, 1).init));
});

test('seed streams: each step draws its own points and index sets, the same step the same ones', () => {
  const s = runStreams(0, 0);
  assert.notDeepEqual(draws(s.step(1)), draws(s.step(2)));
  assert.deepEqual(draws(s.step(1)), draws(s.step(1)));
  assert.notDeepEqual(draws(s.step(1)), draws(runStreams(0, 1).step(1)));
});

test('one step in flight (default) or none (syncSteps): the same record but its timing text, every loss reported in order', async () => {
  const losses = async (syncSteps: boolean, extra: Partial<RunRequest> = {}) => {
    const seen: [number, number][] = [];
    const req = { ...small, pde: 'allen-cahn-two-body', estimator: 'stde-sparse', steps: 9, evalEvery: 4, syncSteps, ...extra } as RunRequest;
    const r = await train(resolveRun(req), TEST_BACKEND, { onStep: (step, loss) => seen.push([step, loss]) });
    return { r, seen };
  };
  const [a, b] = [await losses(false), await losses(true)];
  assert.deepEqual(a.seen, b.seen);
  assert.deepEqual(a.seen.map(([s]) => s), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.deepEqual(a.r.evals.map((e) => e.step), [4, 8, 9]);
  const { timing: ta, ...ra } = withoutTiming(a.r);
  const { timing: tb, ...rb } = withoutTiming(b.r);
  assert.deepEqual(ra, rb);
  assert.match(String(ta), /one step in flight/);
  assert.doesNotMatch(String(tb), /in flight/);
  // A diverging run stops at the same step either way.
  const [da, db] = [await losses(false, { steps: 10, lr: 1e6, width: 8 }), await losses(true, { steps: 10, lr: 1e6, width: 8 })]; // warm-up: 1 step
  assert.equal(da.r.status, 'diverged');
  assert.deepEqual([da.r.steps_done, da.r.message, da.seen], [db.r.steps_done, db.r.message, db.seen]);
  // One timing per counted step: the step dispatched while the diverged one was in flight is neither.
  for (const { r } of [da, db]) assert.equal(r.warmup_steps + r.timed_steps, r.steps_done, JSON.stringify(r.step_ms));
});

test('a non-finite loss ends the run with status diverged', async () => {
  const r = await run({ pde: 'allen-cahn-two-body', estimator: 'stde-sparse', steps: 50, lr: 1e6, width: 8 });
  assert.equal(r.status, 'diverged');
  assert.ok(r.steps_done < 50);
  assert.match(r.message, /non-finite loss/);
  assert.equal(r.rel_l2_final, null);
});

test('a time limit stops the run before a step that would end past it: status timeout, the steps done timed', async () => {
  const req = { pde: 'allen-cahn-two-body', estimator: 'stde-sparse', steps: 1_000_000, width: 8, evalEvery: 50 };
  const t0 = performance.now();
  const r = await run({ ...req, timeLimitS: 2 });
  const s = (performance.now() - t0) / 1000;
  assert.equal(r.status, 'timeout');
  assert.ok(s < 2.5, `took ${s} s`);
  assert.ok(r.steps_done > 10 && r.steps_done < 1_000_000, `${r.steps_done} steps`);
  assert.equal(r.message, `stopped at the 2 s time limit after ${r.steps_done} of 1000000 steps`);
  assert.equal(r.timed_steps, r.steps_done - 10); // the warm-up (10 steps) is over: timed as usual
  assert.ok(r.it_per_s! > 0);
  assert.equal(r.rel_l2_final, r.evals.at(-1)!.rel_l2); // its last evaluation
  // A limit spent before the first step: that one step still runs; with nothing after the warm-up,
  // every step but the first is timed, here none.
  const first = await run({ ...req, timeLimitS: 1e-3 });
  assert.deepEqual([first.status, first.steps_done, first.timed_steps, first.it_per_s, first.warmup_steps], ['timeout', 1, 0, null, 1]);
  assert.throws(() => resolveRun({ ...small, ...req, timeLimitS: -1 } as RunRequest), /time limit must be ≥ 0/);
});

test('a time limit reached inside the warm-up: every step but the first is timed', async () => {
  // Steps of ≥ 300 ms (the loss callback runs inside a timed step): a 2.5 s limit stops within the
  // 10 warm-up steps of a long run, after at least 3 of them (set-up takes well under a second here).
  const slow = { onStep: () => { const until = performance.now() + 300; while (performance.now() < until); } };
  const cfg = resolveRun({ ...small, pde: 'allen-cahn-two-body', estimator: 'stde-sparse', steps: 1_000_000, width: 8, timeLimitS: 2.5 } as RunRequest);
  const r = await train(cfg, TEST_BACKEND, slow);
  assert.equal(r.status, 'timeout');
  assert.ok(r.steps_done >= 3 && r.steps_done < 10, `${r.steps_done} steps`);
  assert.deepEqual([r.warmup_steps, r.timed_steps], [1, r.steps_done - 1]);
  assert.ok(r.step_ms_median! >= 300 && r.it_per_s! <= 1000 / 300, `${r.step_ms_median} ms`);
});

test('the test set does not depend on the device budget: chunks of 200 points, evaluated in pieces that fit', () => {
  // d = 6000: a [200, d] batch exceeds wasm's 2²⁰-float block, so wasm evaluates 174 rows at a time.
  const cfg = resolveRun({ pde: 'allen-cahn-two-body', dim: 6000, estimator: 'stde-sparse', width: 8, testPoints: 300 } as RunRequest);
  const built = buildRun(cfg);
  const { streams, problem, target } = built;
  const evaluator = makeEvaluator(problem, streams.test, 300)!;
  if (TEST_BACKEND === 'wasm') assert.match(evaluator.metric, /chunks of 200 evaluated 174 at a time/);
  const got = evaluator.evaluate(target);
  // The same test set drawn whole: 200 points from the stream's child 0, 100 from child 1.
  let se = 0, s2 = 0;
  for (const [c, n] of [[0, 200], [1, 100]]) {
    const x = problem.domain.interior(n, streams.test.child(c));
    const [u, ue] = [values(evalTarget(target, x)), values(problem.exact!(x).primal as tf.Tensor)];
    for (let i = 0; i < n; i++) [se, s2] = [se + (u[i] - ue[i]) ** 2, s2 + ue[i] ** 2];
    x.dispose();
  }
  assert.ok(Math.abs(got.rel_l2 - Math.sqrt(se / s2)) < 1e-6 * Math.sqrt(se / s2), `${got.rel_l2} vs ${Math.sqrt(se / s2)}`);
  built.dispose();
});

test('relative errors divide by the exact solution: a target of 2·u* is off by exactly 1 in L1 and L2', () => {
  // |2u* − u*| = |u*| point by point, so both ratios are 1 whatever the points; normed by the target instead, ½.
  const d = 5;
  const problem = setupPde(getPde('poisson-cube'), d);
  const target = zeroTarget(d, 0, (x) => J.scale(problem.exact!(x), 2));
  const { rel_l1, rel_l2 } = makeEvaluator(problem, rngFromSeed(1), 300)!.evaluate(target);
  assert.ok(Math.abs(rel_l1 - 1) < 1e-6, `rel_l1 ${rel_l1}`);
  assert.ok(Math.abs(rel_l2 - 1) < 1e-6, `rel_l2 ${rel_l2}`);
});

test('the tensor count stays flat over training steps and returns to its start', async () => {
  const before = tf.memory().numTensors;
  const counts: number[] = [];
  const cfg = resolveRun({ ...small, pde: 'allen-cahn-two-body-gpinn', estimator: 'stde-sparse', steps: 12, evalEvery: 4 } as RunRequest);
  // Counted at the evaluation steps, where no step is in flight (elsewhere the next step's loss is).
  await train(cfg, TEST_BACKEND, { onStep: (s) => s % 4 === 0 && counts.push(tf.memory().numTensors) });
  assert.equal(counts.length, 3);
  assert.equal(new Set(counts).size, 1, `tensor counts during training: ${counts}`);
  assert.equal(tf.memory().numTensors, before);
});

test('semilinear runs report the relative L1 error at (0, 0) against the reference', async () => {
  const r = await run({ pde: 'sine-gordon-time', dim: 10, estimator: 'stde-sparse', steps: 4, evalEvery: 2, width: 16, R: 4 });
  assert.equal(r.status, 'ok');
  assert.equal(r.test_points, 1);
  assert.match(r.metric, /reference 0\.322947/);
  assert.equal(r.preset, 'published-tables');
  assert.equal(r.rel_l1_final, r.rel_l2_final);
  assert.deepEqual(r.evals.map((e) => e.step), [2, 4]);
});

test('labels: the published three-body source and the 13-jet are marked in the record, the probe distribution only where probes are drawn, the sharing map only where weights are shared', async () => {
  const p = await run({ pde: 'poisson-three-body', estimator: 'stde-sparse', steps: 2, options: { source: 'published-incorrect' } });
  assert.match(String(p.variant), /published-incorrect/);
  const k = await run({ pde: 'kdv-2d', dim: 2, R: 0, estimator: 'stde-13jet', steps: 2, width: 8 });
  assert.match(String(k.variant), /contaminated/);
  assert.equal(k.rel_l2_final, null);
  // The probe distribution is a label of the estimators that draw probes only.
  assert.equal(p.dist, null);
  assert.equal(k.dist, null);
  assert.equal((await run({ pde: 'poisson-two-body', estimator: 'stde-dense', R: 2, steps: 2, dist: 'gaussian' })).dist, 'gaussian');
  // The weight-sharing map, where there is weight sharing: the same parameters, another network.
  const shared = (sharing?: 'conv') => run({ pde: 'allen-cahn-two-body', estimator: 'stde-sparse', dim: 6, block: 3, sharing, steps: 2 });
  const [tanh, conv] = [await shared(), await shared('conv')];
  assert.deepEqual([tanh.sharing, conv.sharing, p.sharing], ['affine-tanh', 'conv', null]);
  assert.equal(conv.params, tanh.params);
  assert.notEqual(conv.loss_final, tanh.loss_final);
});

test('every PDE trains with every method it declares (2 steps, tiny network)', async () => {
  for (const pde of PDES) {
    const dim = pde.fixedDim ?? pde.dims?.[0] ?? Math.max(4, pde.minDim);
    for (const estimator of pde.methods) {
      const cfg = resolveRun({
        pde: pde.name, dim, estimator, steps: 2, width: 6, depth: 2, points: 6, testPoints: 20, evalEvery: 1,
        R: pde.fixedDim ? 0 : 2,
      });
      const r = await train(cfg, TEST_BACKEND);
      assert.equal(r.status, 'ok', `${pde.name} × ${estimator}: ${r.message}`);
      assert.ok(Number.isFinite(r.loss_final), `${pde.name} × ${estimator}: loss ${r.loss_final}`);
      assert.equal(r.rel_l2_final === null, !pde.accuracy, `${pde.name} × ${estimator}: error ${r.rel_l2_final}`);
    }
  }
});

test("a method attaches its Laplacian estimator only where the PDE takes one: a high-order PDE's stde-sparse and nested are its own jet schemes", () => {
  const estimatorOf = (pde: string, estimator: string, dim?: number) => resolveRun({ pde, dim, estimator, R: dim ? 2 : 0 } as RunRequest).estimator?.name;
  assert.equal(estimatorOf('allen-cahn-two-body', 'stde-sparse', 4), 'stde-sparse');
  assert.equal(estimatorOf('allen-cahn-two-body-gpinn', 'nested', 4), 'nested'); // its Laplacian is the registry's
  assert.equal(estimatorOf('bsb', 'forward-over-backward', 4), 'forward-over-backward'); // per-index Hessian terms
  for (const pde of ['kdv-2d', 'kp-2d', 'gkdv-1d']) for (const m of ['stde-sparse', 'nested']) assert.equal(estimatorOf(pde, m), undefined, `${pde} × ${m}`);
});

test("buildRun: the data-fit floor's loss problem for 'none', the PDE's otherwise; dispose frees what it made", () => {
  const before = tf.memory().numTensors;
  for (const estimator of ['none', 'stde-sparse']) {
    const built = buildRun(resolveRun({ pde: 'allen-cahn-two-body', dim: 4, estimator, R: 2, width: 8 } as RunRequest));
    assert.equal(built.lossProblem === built.problem, estimator !== 'none', estimator);
    assert.equal(built.target.model, built.model);
    assert.ok(built.vars.length > 0);
    built.dispose();
    assert.equal(tf.memory().numTensors, before, `${estimator}: tensors left`);
  }
});
