/**
 * The derivative terms of the gPINN and high-order PDEs (pdes.md §3, §5; method.md §5): the STDE
 * jets agree with nested reverse mode on random tanh MLPs, and the published 13-jet read-outs are
 * contaminated exactly as method.md §5.1 says.
 */
import { test, before } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { setup, randomModel, assertClose, values } from './helpers.ts';
import { kdvTermsByJets, kdvTermsByNested, kdvTermsBy13Jet } from '../benchmarks/pdes/kdv-2d.ts';
import { kpTermsByJets, kpTermsByNested } from '../benchmarks/pdes/kp-2d.ts';
import { gkdvTermsByJets, gkdvTermsByNested } from '../benchmarks/pdes/gkdv-1d.ts';
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
