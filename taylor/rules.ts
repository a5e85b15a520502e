/**
 * Taylor-mode rules: one entry per primitive, in one table (method.md §7).
 *
 * A rule maps primals and normalized coefficient lists to the output primal and coefficients.
 * Inside a rule, `c[0]` is the primal and `c[k]` the order-k coefficient; `null` is a known zero.
 * Rules never look at how many directions there are: the direction axis is a leading broadcast
 * axis of every coefficient, which tf broadcasting carries through.
 */
import * as tf from '@tensorflow/tfjs';
import { type BasisCoeff, type Coeff, basis, densify, isBasis, oneHotFloat } from './jet.ts';
import { takesWidePath, wideMatMulGather } from '../engine/wide-layer.ts';
import { perBlock, sumSquaresByRows } from '../engine/row-blocks.ts';
import { sumSquaresKernel } from '../engine/sum-squares.ts';
import { longProduct } from '../engine/long-product.ts';
import { fusedTanhApplies, tanhCollapsed2, tanhJet2 } from '../engine/tanh-jet.ts';

type T = tf.Tensor;
type N = T | null;
export type RuleIO = { primal: T; series: Coeff[] };
export interface Rule {
  /** The rule can take BasisCoeff inputs; otherwise they are densified first. */
  acceptsBasis?: boolean;
  /** Unary and elementwise: basis inputs are evaluated on their gathered columns only (propagate.ts). */
  elementwise?: boolean;
  /**
   * A collapsed jet done by the rule itself, in fewer passes than the generic way (propagate.ts, which
   * runs the rule twice: for the lower orders and for the summed top): series holds orders 1…K−1 per
   * direction (basis ones only for rules that accept them) and the top summed over directions (dense,
   * or null); the returned top is summed too. null: the generic way.
   */
  collapsed?(primals: T[], series: Coeff[][]): RuleIO | null;
  (primals: T[], series: Coeff[][], attrs: Record<string, unknown>): RuleIO;
}

// Null-aware arithmetic: null is an exact zero, so sparse slots stay free.
export const nadd = (a: N, b: N): N => (a === null ? b : b === null ? a : tf.add(a, b));
export const nsub = (a: N, b: N): N => (b === null ? a : a === null ? tf.neg(b) : tf.sub(a, b));
export const nmul = (a: N, b: N): N => (a === null || b === null ? null : tf.mul(a, b));
const nscale = (a: N, s: number): N => (a === null ? null : s === 1 ? a : tf.mul(a, s));
/** Σ of the non-null terms in one kernel (AddN needs equal shapes; broadcasting pairs fall back to Add). */
function nsum(xs: N[]): N {
  const ts = xs.filter((x): x is T => x !== null);
  if (ts.length <= 1) return ts[0] ?? null;
  const same = ts.every((t) => t.shape.length === ts[0].shape.length && t.shape.every((v, i) => v === ts[0].shape[i]));
  return same ? tf.addN(ts) : ts.reduce((a, b) => tf.add(a, b));
}
/**
 * Σ_{i=0..m} y_i·y_{m−i}, using the symmetry of the Cauchy product (half the products); `product`
 * multiplies two coefficients (nmul elementwise; sumSquares takes a dot product over the last axis).
 */
function selfCauchy<C>(y: C[], m: number, product: (a: C, b: C) => N): N {
  const terms: N[] = [];
  for (let i = 0; 2 * i < m; i++) terms.push(product(y[i], y[m - i]));
  const twice = nscale(nsum(terms), 2);
  return m % 2 ? twice : nadd(twice, product(y[m / 2], y[m / 2]));
}

/** Full coefficient list [x₀, x₁, …, x_K] of a dense input. */
const full = (primal: T, s: Coeff[]): N[] => [primal, ...(s as N[])];

/** y_k = (1/k) Σ_{j=1..k} j·x_j·w_{k−j}: the recurrence of every f with a known f' series. */
function odeStep(x: N[], w: N[], k: number): N {
  const terms: N[] = [];
  for (let j = 1; j <= k; j++) terms.push(nscale(nmul(x[j], w[k - j]), j / k));
  return nsum(terms);
}

/** A basis coefficient's image under x·W from its gathered rows W[indices] [R, out]. */
function basisImage(c: BasisCoeff, rows: T): T {
  const scaled = tf.reshape(c.scale === 1 ? rows : tf.mul(rows, c.scale), [rows.shape[0], 1, rows.shape[1]!]);
  return c.values ? tf.mul(scaled, tf.expandDims(c.values, -1)) : scaled;
}

/** x·W for a dense coefficient with any leading axes, or a gathered row block for a basis one. */
function matmulCoeff(c: Coeff, W: T): N {
  if (c === null) return null;
  if (isBasis(c)) return basisImage(c, tf.gather(W, c.indices)); // W e_i for each direction
  if (c.rank === 2) return longProduct(c as tf.Tensor2D, W as tf.Tensor2D);
  const lead = c.shape.slice(0, -1);
  const flat = tf.reshape(c, [-1, c.shape[c.rank - 1]]) as tf.Tensor2D;
  return tf.reshape(longProduct(flat, W as tf.Tensor2D), [...lead, W.shape[1]!]);
}

/**
 * The affine rule for a weight too large for the plain path (engine/wide-layer.ts): the primal and
 * every dense coefficient go through one blocked product, every basis coefficient's rows through
 * the same op's gather, so W is read only there.
 */
function wideAffine(a: T, W: T, b: T | undefined, s: Coeff[]): RuleIO {
  const dense = s.filter((c): c is T => c !== null && !isBasis(c));
  const bases = s.filter((c): c is BasisCoeff => c !== null && isBasis(c));
  const rows = [a, ...dense.map((c) => tf.reshape(c, [-1, c.shape[c.rank - 1]]))];
  const counts = [...rows.map((r) => r.shape[0]), ...bases.map((c) => c.indices.shape[0])];
  const stacked = rows.length === 1 ? (a as tf.Tensor2D) : (tf.concat(rows, 0) as tf.Tensor2D);
  const product = wideMatMulGather(stacked, W as tf.Tensor2D, bases.map((c) => c.indices));
  const parts = counts.length === 1 ? [product] : tf.split(product, counts, 0); // a one-way split has no gradient in tfjs
  const out = W.shape[1]!;
  const z = parts[0];
  let next = 1;
  const series = s.map((c): Coeff => {
    if (c === null) return null;
    if (isBasis(c)) return basisImage(c, parts[1 + dense.length + bases.indexOf(c)]);
    return tf.reshape(parts[next++], [...c.shape.slice(0, -1), out]);
  });
  return { primal: b ? tf.add(z, b) : z, series };
}

/**
 * Σ a² over the last axis. A large [N, d] primal is squared a row block at a time: at d = 10⁶ one
 * whole square is 400 MB of WASM heap, and it has to fit between the first layer's weight and
 * gradient (engine/wide-layer.ts). On wasm and webgpu every [N, d] primal goes that way, where the
 * backend's own kernel reads it once without a square at all (engine/sum-squares.ts).
 */
function sumOfSquares(a: T): T {
  const rowsPerBlock = a.rank === 2 ? perBlock(a.shape[1]!) : Infinity;
  const kernel = a.rank === 2 && a.dtype === 'float32' && sumSquaresKernel();
  if (rowsPerBlock >= a.shape[0] && !kernel) return tf.tidy(() => tf.sum(tf.square(a), -1)); // the square goes at once
  return sumSquaresByRows(a as tf.Tensor2D, rowsPerBlock);
}

const densifyCoeff = (c: Coeff, rank: number): T => (isBasis(c) ? densify(c, rank)! : (c as T));

/** Σ over the last axis of a ⊙ b, where either may be a basis coefficient. */
function dotLast(a: Coeff, b: Coeff, primalRank: number): N {
  if (a === null || b === null) return null;
  if ((isBasis(a) && a.values) || (isBasis(b) && b.values)) {
    // Weighted basis columns meet here only in small cases: take the dense route.
    return tf.sum(tf.mul(densifyCoeff(a, primalRank), densifyCoeff(b, primalRank)), -1);
  }
  if (isBasis(a) && isBasis(b)) {
    const shape = [a.indices.shape[0], ...Array(primalRank - 1).fill(1)];
    // e_i·e_j per direction: the scale product where the indices agree (everywhere, for one index set).
    if (a.indices === b.indices) return tf.fill(shape, a.scale * b.scale);
    const same = tf.cast(tf.equal(a.indices, b.indices), 'float32');
    return tf.reshape(tf.mul(same, a.scale * b.scale), shape);
  }
  if (isBasis(b)) [a, b] = [b, a];
  if (isBasis(a)) {
    const t = b as T;
    const R = a.indices.shape[0];
    if (t.rank === primalRank) {
      // A primal-shaped tensor [N, …, d]: pick component i for every direction.
      const picked = tf.gather(t, a.indices, t.rank - 1); // [N, …, R]
      const perm = [t.rank - 1, ...[...Array(t.rank - 1).keys()]];
      return tf.mul(tf.transpose(picked, perm), a.scale); // [R, N, …]
    }
    const mask = tf.reshape(oneHotFloat(a.indices, a.dim, a.scale), [R, ...Array(t.rank - 2).fill(1), a.dim]);
    return tf.sum(tf.mul(t, mask), -1);
  }
  return tf.sum(tf.mul(a, b as T), -1);
}

const elementwise = <R extends Rule>(r: R): R => Object.assign(r, { elementwise: true });

export const RULES: Record<string, Rule> = {
  add: ([a, b], [sa, sb]) => ({ primal: tf.add(a, b), series: sa.map((x, k) => nadd(x as N, sb[k] as N)) }),
  sub: ([a, b], [sa, sb]) => ({ primal: tf.sub(a, b), series: sa.map((x, k) => nsub(x as N, sb[k] as N)) }),
  neg: ([a], [s]) => ({ primal: tf.neg(a), series: s.map((x) => (x === null ? null : tf.neg(x as T))) }),

  /** x·c + b with constants c (scalar or broadcastable to the primal) and b. */
  scaleShift: ([a], [s], { scale, shift }) => {
    const c = scale as number | T;
    const primal = shift === undefined ? tf.mul(a, c) : tf.add(tf.mul(a, c), shift as number | T);
    return { primal, series: s.map((x) => (x === null ? null : tf.mul(x as T, c))) };
  },

  mul: ([a, b], [sa, sb]) => {
    const x = full(a, sa);
    const y = full(b, sb);
    const series: N[] = [];
    for (let k = 1; k < x.length; k++) {
      const terms: N[] = [];
      for (let j = 0; j <= k; j++) terms.push(nmul(x[j], y[k - j]));
      series.push(nsum(terms));
    }
    return { primal: tf.mul(a, b), series };
  },

  div: ([a, b], [sa, sb]) => {
    const x = full(a, sa);
    const y = full(b, sb);
    const z: N[] = [tf.div(a, b)];
    for (let k = 1; k < x.length; k++) {
      const terms: N[] = [];
      for (let j = 1; j <= k; j++) terms.push(nmul(y[j], z[k - j]));
      const num = nsub(x[k], nsum(terms));
      z.push(num === null ? null : tf.div(num, b));
    }
    return { primal: z[0]!, series: z.slice(1) };
  },

  exp: elementwise(([a]: T[], [s]: Coeff[][]) => {
    const x = full(a, s);
    const y: N[] = [tf.exp(a)];
    for (let k = 1; k < x.length; k++) y.push(odeStep(x, y, k));
    return { primal: y[0]!, series: y.slice(1) };
  }),

  log: elementwise(([a]: T[], [s]: Coeff[][]) => {
    const x = full(a, s);
    const y: N[] = [tf.log(a)];
    for (let k = 1; k < x.length; k++) {
      const terms: N[] = [];
      for (let j = 1; j < k; j++) terms.push(nscale(nmul(y[j], x[k - j]), j / k));
      const num = nsub(x[k], nsum(terms));
      y.push(num === null ? null : tf.div(num, a));
    }
    return { primal: y[0]!, series: y.slice(1) };
  }),

  tanh: Object.assign(elementwise(([a]: T[], [s]: Coeff[][]) => {
    const x = full(a, s);
    if (x.length === 3 && x[1] !== null && fusedTanhApplies(a, x[1], x[2])) {
      const [y0, y1, y2] = tanhJet2(a, x[1], x[2]); // one pass each way on wasm (engine/simd)
      return { primal: y0, series: [y1, y2] };
    }
    const y: N[] = [tf.tanh(a)];
    // w = 1 − y² as a series, built one order behind y.
    const w: N[] = [tf.sub(1, tf.square(y[0]!))];
    if (x.length <= 3) {
      // Orders ≤ 2 (every Laplacian) written out: y₁ = w₀x₁, y₂ = w₀x₂ − y₀y₁x₁. The recurrence's
      // factors (2, −1, ½) cancel, so no full-size [R, N, h] op is spent on scalars: 5 such ops per
      // layer instead of 8, and fewer in the backward pass.
      if (x.length > 1) y.push(nmul(x[1], w[0]));
      if (x.length > 2) y.push(nadd(nmul(x[2], w[0]), nmul(nmul(x[1], y[1]), tf.neg(y[0]!)))); // −y₀ is primal-sized
      return { primal: y[0]!, series: y.slice(1) };
    }
    for (let k = 1; k < x.length; k++) {
      y.push(odeStep(x, w, k));
      if (k + 1 < x.length) w.push(nscale(selfCauchy(y, k, nmul), -1)); // the last w is never used
    }
    return { primal: y[0]!, series: y.slice(1) };
  }), {
    /**
     * Collapsed 2-jets (the stochastic Forward Laplacian's hidden layers): y₂ = w₀(x₂ − y₀·Σ_r x₁,r²).
     * The direction sum comes before the primal-sized factors, so the only [R, N, h] work is y₁, one
     * square and one sum (the generic way: four products, a sum and their gradients).
     */
    collapsed: ([a]: T[], [s]: Coeff[][]): RuleIO | null => {
      if (s.length !== 2 || s[0] === null || isBasis(s[0])) return null;
      const [x1, top] = s as [T, N];
      if (fusedTanhApplies(a, x1) && (top === null || tf.util.arraysEqual(top.shape, a.shape))) {
        const [y0, y1, y2] = tanhCollapsed2(a, x1, top); // one pass each way on wasm (engine/simd)
        return { primal: y0, series: [y1, y2] };
      }
      const y0 = tf.tanh(a);
      const w0 = tf.sub(1, tf.square(y0));
      const sq = tf.sum(tf.square(x1), 0); // [N, h], or [1, h] for a tangent shared by all points
      return { primal: y0, series: [tf.mul(x1, w0), tf.mul(w0, nsub(top, tf.mul(y0, sq))!)] };
    },
  }),

  sin: elementwise(([a]: T[], [s]: Coeff[][]) => sinCos(a, s).sin),
  cos: elementwise(([a]: T[], [s]: Coeff[][]) => sinCos(a, s).cos),

  /** Affine layer x·W (+ b), W of shape [in, out]; basis tangents gather rows of W. */
  affine: Object.assign(
    ([a, W, b]: T[], [s]: Coeff[][]) => {
      if (a.rank === 2 && takesWidePath(W, s.some(isBasis))) return wideAffine(a, W, b, s);
      return {
        primal: b ? tf.add(matmulCoeff(a, W)!, b) : matmulCoeff(a, W)!,
        series: s.map((c) => matmulCoeff(c, W)),
      };
    },
    {
      acceptsBasis: true,
      /**
       * Collapsed jets: the primal product once (the generic way runs it twice: once for the lower
       * orders, once in the top's JVP) and the summed top through W. Two products, not one over the
       * two stacked: on wasm the concat and split cost more than the second call saves (~0.2 ms per
       * layer with its gradient at [100, 128]·[128, 128]), on webgpu they are extra dispatches.
       */
      collapsed: ([a, W, b]: T[], [s]: Coeff[][]): RuleIO | null => {
        const top = s[s.length - 1] as N;
        if (a.rank !== 2 || top === null || !tf.util.arraysEqual(top.shape, a.shape) || takesWidePath(W, s.some(isBasis))) return null;
        const z = matmulCoeff(a, W)!;
        return { primal: b ? tf.add(z, b) : z, series: [...s.slice(0, -1).map((c) => matmulCoeff(c, W)), matmulCoeff(top, W)] };
      },
    },
  ),

  /**
   * The weight-sharing layer: x [N, d] → z [N, d/B], z[:, k] = x[:, kB … kB+B−1]·w + b with w = W [B, 1].
   * A basis tangent e_i becomes one weighted column, e_{⌊i/B⌋}·w[i mod B], not a dense [R, ·, d/B].
   */
  blockAffine: Object.assign(
    ([a, W, b]: T[], [s]: Coeff[][], { block }: Record<string, unknown>) => {
      const B = block as number;
      const apply = (t: T) => {
        const lead = t.shape.slice(0, -1);
        return tf.reshape(tf.matMul(tf.reshape(t, [-1, B]), W), [...lead, t.shape[t.rank - 1] / B]);
      };
      const series = s.map((c): Coeff => {
        if (c === null) return null;
        if (!isBasis(c) || c.values) return apply(densifyCoeff(c, a.rank));
        const column = tf.cast(tf.floorDiv(c.indices, B), 'int32') as tf.Tensor1D;
        const weight = tf.gather(tf.reshape(W, [-1]), tf.cast(tf.mod(c.indices, B), 'int32'));
        return basis(column, c.dim / B, c.scale, tf.reshape(weight, [-1, 1]));
      });
      return { primal: tf.add(apply(a), b), series };
    },
    { acceptsBasis: true },
  ),

  /** Σ over the last axis of x² (e.g. ‖x‖² for the boundary ansatz); basis tangents gather. */
  sumSquares: Object.assign(
    ([a]: T[], [s]: Coeff[][]) => {
      const x: Coeff[] = [a, ...s];
      const dot = (p: Coeff, q: Coeff) => dotLast(p, q, a.rank);
      const series: N[] = [];
      for (let k = 1; k < x.length; k++) series.push(selfCauchy(x, k, dot));
      return { primal: sumOfSquares(a), series };
    },
    { acceptsBasis: true },
  ),

  /** Σ over the last axis of x ⊙ c for a constant c broadcastable to the primal. */
  dotConst: Object.assign(
    ([a, c]: T[], [s]: Coeff[][]) => ({
      primal: tf.sum(tf.mul(a, c), -1),
      series: s.map((x) => dotLast(x, c, a.rank)),
    }),
    { acceptsBasis: true },
  ),

  /** Sum over one (negative) axis, dropping it. */
  sum: ([a], [s], { axis }) => ({
    primal: tf.sum(a, axis as number),
    series: s.map((x) => (x === null ? null : tf.sum(x as T, axis as number))),
  }),

  /** Columns [begin, begin+size) of the last axis. */
  sliceLast: ([a], [s], { begin, size }) => {
    const sl = (t: T) => {
      const b = Array(t.rank).fill(0);
      const z = [...t.shape];
      b[t.rank - 1] = begin as number;
      z[t.rank - 1] = size as number;
      return tf.slice(t, b, z);
    };
    return { primal: sl(a), series: s.map((x) => (x === null ? null : sl(x as T))) };
  },

  /** Concatenation along the last axis. */
  concatLast: Object.assign(([a, b]: T[], [sa, sb]: Coeff[][]) => {
    const cat = (xc: Coeff, yc: Coeff, like: [T, T]): Coeff => {
      if (xc === null && yc === null) return null;
      // A basis column in the first part keeps its index; the second part only widens it.
      if (isBasis(xc) && yc === null) return basis(xc.indices, xc.dim + like[1].shape[like[1].rank - 1], xc.scale, xc.values);
      const x = xc === null ? null : densifyCoeff(xc, like[0].rank);
      const y = yc === null ? null : densifyCoeff(yc, like[1].rank);
      // Bring both parts to the common leading shape ([R, 1, …] may meet [R, N, …] or a primal).
      const leadOf = (t: N, p: T) => (t ? t.shape.slice(0, -1) : [1, ...p.shape.slice(0, -1)]);
      const la = leadOf(x, like[0]);
      const lb = leadOf(y, like[1]);
      const common = la.map((v, i) => Math.max(v, lb[i]));
      const fit = (t: N, p: T) => {
        const w = p.shape[p.rank - 1];
        return t === null ? tf.zeros([...common, w]) : tf.broadcastTo(t, [...common, w]);
      };
      return tf.concat([fit(x, like[0]), fit(y, like[1])], -1);
    };
    return { primal: tf.concat([a, b], -1), series: sa.map((x, k) => cat(x, sb[k], [a, b])) };
  }, { acceptsBasis: true }),
};

function sinCos(a: T, s: Coeff[]): { sin: RuleIO; cos: RuleIO } {
  const x = full(a, s);
  const sn: N[] = [tf.sin(a)];
  const cs: N[] = [tf.cos(a)];
  for (let k = 1; k < x.length; k++) {
    sn.push(odeStep(x, cs, k));
    const c = odeStep(x, sn, k);
    cs.push(c === null ? null : tf.neg(c));
  }
  return { sin: { primal: sn[0]!, series: sn.slice(1) }, cos: { primal: cs[0]!, series: cs.slice(1) } };
}
