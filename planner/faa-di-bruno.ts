/**
 * Faà di Bruno's formula in jet form (method.md §3, the corrected Eq. 43 of decisions.md D17).
 *
 * A jet with non-zero tangents w₁…w_T in slots j₁ < … < j_T (derivative-scaled) produces, at
 * output order K,
 *
 *   Σ_{p : Σ_t p_t·j_t = K}  K! / Π_t (p_t! · (j_t!)^{p_t}) · D^{|p|}u[w₁ × p₁, …, w_T × p_T].
 *
 * The coefficient counts the partitions of a K-set into p_t blocks of size j_t, so it is an integer.
 */

const BIG_FACTORIALS: bigint[] = [1n];
export function bigFactorial(k: number): bigint {
  for (let i = BIG_FACTORIALS.length; i <= k; i++) BIG_FACTORIALS.push(BIG_FACTORIALS[i - 1] * BigInt(i));
  return BIG_FACTORIALS[k];
}

/** Every p ≥ 0 with Σ_t p_t·slots_t = K: the tuples that contribute to output order K. */
export function slotPartitions(slots: number[], K: number): number[][] {
  const out: number[][] = [];
  const rec = (t: number, left: number, p: number[]) => {
    if (t === slots.length) {
      if (left === 0) out.push(p);
      return;
    }
    for (let n = 0; n * slots[t] <= left; n++) rec(t + 1, left - n * slots[t], [...p, n]);
  };
  rec(0, K, []);
  return out;
}

/** K!/Π_t(p_t!·(j_t!)^{p_t}) with K = Σ_t p_t·j_t: the weight of D^{|p|}u[w₁ × p₁, …] at order K. */
export function faaDiBrunoCoefficient(slots: number[], p: number[]): bigint {
  const K = slots.reduce((s, j, t) => s + j * p[t], 0);
  let den = 1n;
  slots.forEach((j, t) => {
    den *= bigFactorial(p[t]) * bigFactorial(j) ** BigInt(p[t]);
  });
  return bigFactorial(K) / den;
}
