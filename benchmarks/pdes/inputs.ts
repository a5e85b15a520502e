/** Spatial and time parts of the inputs (x, t) in the jet algebra; time is the last column. */
import * as J from '../../taylor/ops.ts';
import type { Jet, Operand } from '../../taylor/ops.ts';

/** x: the first d inputs. */
export const spatial = (x: Operand, d: number): Jet => J.sliceLast(x, 0, d);

/** t: input d, as [N]. */
export const time = (x: Operand, d: number): Jet => J.sum(J.sliceLast(x, d, 1), -1);

/** Σ_i sinh(x_i) over the spatial inputs, as (e^x − e^{−x})/2 (no sinh rule needed). */
export const sumSinh = (x: Operand, d: number): Jet => {
  const s = spatial(x, d);
  return J.sum(J.scale(J.sub(J.exp(s), J.exp(J.neg(s))), 0.5), -1);
};
