/**
 * Read-out weights by an exact linear solve. Each pushed output row is a known integer
 * combination of partial derivatives (its content); a term is obtained as Σ_r w_r·row_r when the
 * weights make every other partial cancel: Σ_r w_r·content_r = ∂^target u. Gaussian elimination
 * over the rationals, one equation per partial derivative that occurs.
 */
import { Rational } from './rational.ts';
import type { ContentTerm } from './jet-spec.ts';

/** Weights w (one per row) with Σ_r w_r·rows_r = 1·target, or null if the rows do not determine it. */
export function solveReadout(rows: Map<string, ContentTerm>[], target: string): Rational[] | null {
  const keys = [...new Set([target, ...rows.flatMap((r) => [...r.keys()])])];
  const n = rows.length;
  // Augmented matrix: equation e (a partial derivative), columns w_0…w_{n−1} | right-hand side.
  const A = keys.map((k) => [...rows.map((r) => Rational.of(r.get(k)?.coeff ?? 0n)), k === target ? Rational.ONE : Rational.ZERO]);
  const pivotCols: number[] = [];
  let row = 0;
  for (let col = 0; col < n && row < A.length; col++) {
    const p = A.findIndex((r, i) => i >= row && !r[col].isZero());
    if (p < 0) continue;
    [A[row], A[p]] = [A[p], A[row]];
    const inv = Rational.ONE.div(A[row][col]);
    A[row] = A[row].map((v) => v.mul(inv));
    for (let i = 0; i < A.length; i++) {
      if (i === row || A[i][col].isZero()) continue;
      const f = A[i][col];
      A[i] = A[i].map((v, c) => v.sub(f.mul(A[row][c])));
    }
    pivotCols.push(col);
    row++;
  }
  // Inconsistent: a zero row with a non-zero right-hand side.
  for (let i = row; i < A.length; i++) if (!A[i][n].isZero()) return null;
  const w = Array<Rational>(n).fill(Rational.ZERO); // free weights stay 0
  pivotCols.forEach((col, i) => (w[col] = A[i][n]));
  return w;
}
