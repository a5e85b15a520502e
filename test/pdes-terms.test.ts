/**
 * The derivative terms of the gPINN and high-order PDEs (pdes.md §3, §5; method.md §5): the STDE
 * jets agree with nested reverse mode on random tanh MLPs, and the published 13-jet read-outs are
 * contaminated exactly as method.md §5.1 says.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { setup, randomModel, assertClose, values } from './helpers.ts';
import { setupPde } from './pdes-helpers.ts';
import { kdvTermsByJets, kdvTermsByNested, kdvTermsBy13Jet, kdvResidual, type KdvTerms } from '../benchmarks/pdes/kdv-2d.ts';
import { kpTermsByJets, kpTermsByNested, kpResidual, type KpTerms } from '../benchmarks/pdes/kp-2d.ts';
import { gkdvTermsByJets, gkdvTermsByNested, gkdvResiduals, type GkdvTerms } from '../benchmarks/pdes/gkdv-1d.ts';
import { PDES } from '../benchmarks/pdes/registry.ts';
import { pairTermsByJets, pairTermsByJvpHvp, pairTermsByNestedReverse } from '../benchmarks/pdes/terms/gpinn-terms.ts';
import { reversePartials } from '../operators/reverse.ts';
import { unitBall } from '../sampling/domains.ts';
import { rngFromSeed } from '../sampling/rng.ts';
import { zeroBoundaryBall, evalTarget, type Target } from '../operators/target.ts';

before(setup);

const points = (n: number, d: number) => unitBall(d, 'radius-uniform', { T: 1 }).interior(n, rngFromSeed(17));
const target = (d: number, seed = 2): Target => ({ model: randomModel({ dim: d, extraInputs: 1, width: 12, depth: 3 }, seed) });

function compare<T extends object>(a: T, b: T, rel: number, what: string) {
  for (const k of Object.keys(b) as (keyof T)[]) {
    assertClose(values(a[k] as tf.Tensor), values(b[k] as tf.Tensor), rel, `${what} ${String(k)}`);
  }
}

test('kdv-2d: 9-jet + 3-jet + 3-jet terms (divisor 1260) = nested reverse mode', () => {
  tf.tidy(() => {
    const t = target(2);
    const x = points(6, 2);
    compare(kdvTermsByJets(t, x), kdvTermsByNested(t, x), 2e-3, 'kdv');
  });
});

test('kdv-2d: the single 13-jet has clean u_x, u_y, u_xx, u_yy and contaminated u_xy, u_ty, u_xxxy (method.md §5.1)', () => {
  tf.tidy(() => {
    const t = target(2, 4);
    const x = points(6, 2);
    const j = kdvTermsBy13Jet(t, x);
    const [X, Y, T] = [0, 1, 2];
    const [u_x, u_y, u_xx, u_yy, u_xy, u_t, u_ty, u_xyy, u_xxxy, u_xxt] = reversePartials((y) => evalTarget(t, y), x, [
      [X], [Y], [X, X], [Y, Y], [X, Y], [T], [Y, T], [X, Y, Y], [X, X, X, Y], [X, X, T],
    ]);
    compare({ u_x: j.u_x, u_y: j.u_y, u_xx: j.u_xx, u_yy: j.u_yy }, { u_x, u_y, u_xx, u_yy }, 2e-3, '13-jet clean');
    // order 7 = 35 u_xy + u_t, order 11 = 330 u_ty + 5775 u_xyy, order 13 = 200200 u_xxxy + 17160 u_xxt
    assertClose(values(j.u_xy), values(tf.add(u_xy, tf.div(u_t, 35))), 2e-3, '13-jet u_xy read-out');
    assertClose(values(j.u_ty), values(tf.add(u_ty, tf.mul(u_xyy, 5775 / 330))), 2e-3, '13-jet u_ty read-out');
    assertClose(values(j.u_xxxy), values(tf.add(u_xxxy, tf.mul(u_xxt, 17160 / 200200))), 5e-3, '13-jet u_xxxy read-out');
  });
});

test('kp-2d: 5-jet + 4-jet + 2-jet terms = nested reverse mode', () => {
  tf.tidy(() => {
    const t = target(2, 5);
    const x = points(6, 2);
    compare(kpTermsByJets(t, x), kpTermsByNested(t, x), 2e-3, 'kp');
  });
});

test('gkdv-1d: 7-jet + 7-jet + 2-jet terms = nested reverse mode', () => {
  tf.tidy(() => {
    const t = target(1, 6);
    const x = points(6, 1);
    compare(gkdvTermsByJets(t, x), gkdvTermsByNested(t, x), 2e-3, 'gkdv');
  });
});

/**
 * Fixed terms, a distinct prime per term (negated at the second point, so signs and odd powers show):
 * the combined residuals against pdes.md §5's expanded formulas, computed here in plain numbers.
 */
const PRIMES = [2, 3, 5, 7, 11, 13, 17, 19, 23];
function fixedTerms<K extends string>(names: readonly K[]): { tensors: Record<K, tf.Tensor1D>; at: Record<K, number>[] } {
  const at = [1, -1].map((sign) => Object.fromEntries(names.map((n, i) => [n, sign * PRIMES[i]])) as Record<K, number>);
  const tensors = Object.fromEntries(names.map((n) => [n, tf.tensor1d(at.map((a) => a[n]))])) as Record<K, tf.Tensor1D>;
  return { tensors, at };
}

test('kdv-2d residual = u_ty + u_xxxy + 3(u_xy u_x + u_y u_xx) − u_xx + 2u_yy on fixed terms (pdes.md §5)', () => {
  tf.tidy(() => {
    const { tensors, at } = fixedTerms<keyof KdvTerms>(['u_x', 'u_y', 'u_xx', 'u_xy', 'u_yy', 'u_ty', 'u_xxxy']);
    const want = at.map((t) => t.u_ty + t.u_xxxy + 3 * (t.u_xy * t.u_x + t.u_y * t.u_xx) - t.u_xx + 2 * t.u_yy);
    assertClose(values(kdvResidual(tensors)), want, 1e-6, 'kdv residual');
  });
});

test('kp-2d residual = u_tx + 6u_x² + 6u u_xx + u_xxxx + 3u_yy on fixed terms (pdes.md §5, σ² = 1)', () => {
  tf.tidy(() => {
    const { tensors, at } = fixedTerms<keyof KpTerms>(['u', 'u_x', 'u_xx', 'u_xxxx', 'u_tx', 'u_yy']);
    const want = at.map((t) => t.u_tx + 6 * t.u_x ** 2 + 6 * t.u * t.u_xx + t.u_xxxx + 3 * t.u_yy);
    assertClose(values(kpResidual(tensors)), want, 1e-6, 'kp residual');
  });
});

test('gkdv-1d residuals R, R_x, R_t on fixed terms = pdes.md §5 (α = 0.0025)', () => {
  tf.tidy(() => {
    const names = ['u', 'u_x', 'u_xx', 'u_xxx', 'u_xxxx', 'u_t', 'u_tx', 'u_tt', 'u_txxx'] as const;
    const { tensors, at } = fixedTerms<keyof GkdvTerms>(names);
    const a = 0.0025;
    const [R, Rx, Rt] = gkdvResiduals(tensors);
    assertClose(values(R), at.map((t) => t.u_t + t.u * t.u_x + a * t.u_xxx), 1e-6, 'R');
    assertClose(values(Rx), at.map((t) => t.u_tx + t.u_x ** 2 + t.u * t.u_xx + a * t.u_xxxx), 1e-6, 'R_x');
    assertClose(values(Rt), at.map((t) => t.u_tt + t.u_t * t.u_x + t.u * t.u_tx + a * t.u_txxx), 1e-6, 'R_t');
  });
});

// The residual parts each PDE hands the loss: names, weights (gKdV1d: R² + λ(R_x² + R_t²), λ = 10⁻³) and
// values = the residual functions above applied to nested reverse-mode terms.
const HIGH_ORDER_PARTS: Record<string, { parts: [string, number][]; residuals: (t: Target, x: tf.Tensor2D) => tf.Tensor1D[] }> = {
  'kdv-2d': { parts: [['pde', 1]], residuals: (t, x) => [kdvResidual(kdvTermsByNested(t, x))] },
  'kp-2d': { parts: [['pde', 1]], residuals: (t, x) => [kpResidual(kpTermsByNested(t, x))] },
  'gkdv-1d': { parts: [['pde', 1], ['pde-x', 1e-3], ['pde-t', 1e-3]], residuals: (t, x) => gkdvResiduals(gkdvTermsByNested(t, x)) },
};
for (const [name, { parts, residuals }] of Object.entries(HIGH_ORDER_PARTS)) {
  test(`${name}: residual parts and weights (pdes.md §5)`, () => {
    tf.tidy(() => {
      const pde = PDES.find((p) => p.name === name)!;
      const d = pde.fixedDim!;
      const problem = setupPde(pde, d);
      const data = problem.sample(rngFromSeed(4), { points: 3, boundaryPoints: 0 }) as { x: tf.Tensor2D };
      const t = target(d, 9);
      const got = problem.residuals(data, { target: t, method: { name: 'nested' }, R: 0, dist: 'rademacher', rng: rngFromSeed(5) });
      assert.deepEqual(got.map((p) => [p.name, p.weight]), parts, `${name}: parts and weights`);
      const want = residuals(t, data.x);
      got.forEach((p, i) => assertClose(values(p.r), values(want[i]), 1e-5, `${name} ${p.name}`));
    });
  });
}

test('gPINN pairs: the 7-jet (e_i in slot 2, e_j in slot 3) = JVP-HVP = nested reverse mode, including i = j, with the ansatz', () => {
  tf.tidy(() => {
    const d = 5;
    const t: Target = { model: randomModel({ dim: d, width: 12, depth: 3 }, 8), ansatz: zeroBoundaryBall(d) };
    const x = unitBall(d).interior(6, rngFromSeed(3));
    const I = [0, 3, 2, 4];
    const J = [1, 3, 0, 2]; // (3, 3): i = j
    const jets = pairTermsByJets(t, x, I, J);
    const nested = pairTermsByNestedReverse(t, x, I, J);
    compare({ u: jets.u, uj: jets.uj, uiij: jets.uiij }, { u: nested.u, uj: nested.uj, uiij: nested.uiij }, 2e-3, 'gpinn');
    const jvp = pairTermsByJvpHvp(t, x, I, J);
    compare({ u: jvp.u, uj: jvp.uj, uiij: jvp.uiij }, { u: nested.u, uj: nested.uj, uiij: nested.uiij }, 2e-3, 'gpinn jvp-hvp');
    const uii = tf.stack(reversePartials((y) => evalTarget(t, y), x, I.map((i) => [i, i])));
    assertClose(values(jets.uii!), values(uii), 2e-3, 'gpinn u_ii');
  });
});
