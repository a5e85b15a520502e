/**
 * The gPINN third-order baseline "JVP-HVP" (method.md §11, pdes.md §3): ∂³u/∂x_i²∂x_j as the
 * forward-mode derivative along e_j of x ↦ (∇²u(x)·e_i)_i, i.e. a mixed second directional
 * derivative of the gradient map g_i = ∂u/∂x_i.
 *
 * tfjs has no jvp, so the gradient map is the network's explicit reverse pass written in the jet
 * algebra (model/mlp.ts firstLayerDelta, as in baselines/forward-over-backward.ts), and the mixed
 * derivative comes from 2-jets through it by polarization along v± = e_i ± e_j:
 *   D²g_i[e_i, e_j] = ¼ (D²g_i[v₊]² − D²g_i[v₋]²),
 * two directions per pair in one batch (exact for i = j too, where v₋ = 0). Their first orders give
 * ∂²_ii u = ½ (Dg_i[v₊] + Dg_i[v₋]) and ∂²_ij u = ½ (Dg_i[v₊] − Dg_i[v₋]); the primal pass ∂_i u and
 * ∂_j u. An ansatz u = a·N + b is folded in by the Leibniz rule (withAnsatz).
 */
import * as tf from '@tensorflow/tfjs';
import { UsageError } from '../engine/errors.ts';
import { contract, firstLayerDelta, firstLayerRows, forwardMLP } from '../model/mlp.ts';
import { derivative, inputJet, oneHotFloat } from '../taylor/jet.ts';
import { networkOf, withAnsatz, type Target } from './target.ts';
import { formatPartial, key, lowerIndices, multiIndex, totalOrder, variables, type MultiIndex } from '../planner/multi-index.ts';
import { bindingRows, isSampled, type PartialEstimator } from './partials.ts';

export interface JvpHvpResult {
  u: tf.Tensor1D;
  /** [R, N] each, for the pairs (I[r], J[r]). */
  uiij: tf.Tensor2D;
  uij: tf.Tensor2D;
  uii: tf.Tensor2D;
  ui: tf.Tensor2D;
  uj: tf.Tensor2D;
}

/** The roles (i, j) of a term ∂³u/∂x_i²∂x_j (or ∂³u/∂x_i³, i = j); anything else is not this baseline's. */
export function thirdOrderRoles(t: MultiIndex): { i: string; j: string } {
  const vs = variables(t);
  if (vs.length === 1 && t[vs[0]] === 3) return { i: vs[0], j: vs[0] };
  if (vs.length === 2 && totalOrder(t) === 3) return t[vs[0]] === 2 ? { i: vs[0], j: vs[1] } : { i: vs[1], j: vs[0] };
  throw new UsageError(`jvp-hvp computes only third-order terms ∂³u/∂x_i²∂x_j (e.g. --partial 0:2,1:1), not ${formatPartial(t)}`);
}

/** ∂³u/∂x_i²∂x_j and its lower partials for the R pairs (I[r], J[r]) at points x. */
export function jvpHvp(target: Target, x: tf.Tensor2D, I: number[], J: number[]): JvpHvpResult {
  const model = networkOf(target, 'jvp-hvp');
  const R = I.length;
  const width = x.shape[1];
  const idxI = tf.tensor1d(I, 'int32');
  const idxJ = tf.tensor1d(J, 'int32');
  const eI = oneHotFloat(idxI, width);
  const eJ = oneHotFloat(idxJ, width);
  const V = tf.reshape(tf.concat([tf.add(eI, eJ), tf.sub(eI, eJ)], 0), [2 * R, 1, width]); // v₊, v₋
  const delta = firstLayerDelta(model, inputJet(x, [V, null]));
  const rowsI = firstLayerRows(model, idxI);
  const rows2 = tf.concat([rowsI, rowsI], 0) as tf.Tensor2D;
  const [d1p, d1m] = tf.split(contract(derivative(delta, 1), rows2), 2, 0); // D g_i[v±] = u_ii ± u_ij
  const [d2p, d2m] = tf.split(contract(derivative(delta, 2), rows2), 2, 0); // D²g_i[v±, v±]
  // N's partials keyed by the symbolic pair roles (i, j); for i = j the keys coincide, as do the values.
  const N: Record<string, tf.Tensor> = {
    '': forwardMLP(model, x),
    'i:1': contract(delta.primal, rowsI),
    'j:1': contract(delta.primal, firstLayerRows(model, idxJ)),
    'i:2': tf.mul(tf.add(d1p, d1m), 0.5),
    'i:1,j:1': tf.mul(tf.sub(d1p, d1m), 0.5),
    'i:2,j:1': tf.mul(tf.sub(d2p, d2m), 0.25),
  };
  const alpha = multiIndex({ i: 2, j: 1 });
  const u = withAnsatz(target, x, N, lowerIndices(alpha).map((b) => b.index), { i: I, j: J });
  const full = (t: tf.Tensor) => tf.broadcastTo(t, [R, x.shape[0]]) as tf.Tensor2D;
  return {
    u: u[''] as tf.Tensor1D,
    uiij: full(u['i:2,j:1']),
    uij: full(u['i:1,j:1']),
    uii: full(u['i:2']),
    ui: full(u['i:1']),
    uj: full(u['j:1']),
  };
}

export const jvpHvpPartials: PartialEstimator = {
  name: 'jvp-hvp',
  summary: 'forward-over-backward: JVP along e_j of the HVP (∇²u·e_i)_i, for ∂³u/∂x_i²∂x_j only (gPINN baseline)',
  partials({ target, x, terms, bind }) {
    let u: tf.Tensor1D | undefined;
    const values = terms.map((t) => {
      const { i, j } = thirdOrderRoles(t);
      const rows = bindingRows([...new Set([i, j])], x.shape[1], bind);
      const r = jvpHvp(target, x, rows.map((c) => c[i]), rows.map((c) => c[j]));
      u = r.u;
      return isSampled([i, j], bind) ? r.uiij : tf.reshape(r.uiij, [-1]);
    });
    return { u: u ?? (forwardMLP(networkOf(target, 'jvp-hvp'), x) as tf.Tensor1D), values };
  },
  explain(terms) {
    const lines = terms.map((t) => {
      const { i, j } = thirdOrderRoles(t);
      const e = (v: string) => (/^\d+$/.test(v) ? `e_x${v}` : `e_${v}`);
      return `${formatPartial(t)}   [--partial ${key(t)}]: 2-jets along ${e(i)} ± ${e(j)} through the explicit reverse pass; value = ¼(D²g[${e(i)} + ${e(j)}] − D²g[${e(i)} − ${e(j)}]) with g = ∂u/∂${/^\d+$/.test(i) ? `x${i}` : i}`;
    });
    return { text: ['forward-over-backward (JVP of the HVP, polarized 2-jets):', ...lines].join('\n'), json: { estimator: 'jvp-hvp', terms: terms.map((t) => ({ partial: key(t), ...thirdOrderRoles(t) })) } };
  },
};
