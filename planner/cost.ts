/**
 * The planner's cost model: "work units" of one stacked pushforward, a flop proxy that counts
 * the coefficient products of the tanh recurrence (method.md §7) and the affine products, per
 * direction. Only orders that some combination of the non-zero slots reaches carry a coefficient
 * (a known-zero coefficient is free in taylor/rules.ts), which is why sparse slot layouts such as
 * (0, e_i, e_j, 0, …) are cheaper than their order suggests.
 */

/** Orders 0…K that carry a non-zero coefficient after a nonlinearity: sums of slot orders. */
export function liveOrders(slots: Iterable<number>, K: number): boolean[] {
  const s = [...new Set(slots)];
  const live = Array<boolean>(K + 1).fill(false);
  live[0] = true;
  for (let k = 1; k <= K; k++) live[k] = s.some((j) => j <= k && live[k - j]);
  return live;
}

export function pushforwardWork(slots: Iterable<number>, K: number, directions: number): number {
  if (directions === 0 || K === 0) return 0;
  const live = liveOrders(slots, K);
  let ops = 0;
  for (let k = 1; k <= K; k++) {
    if (!live[k]) continue;
    ops += 1; // the affine layer's product at this order
    for (let j = 1; j <= k; j++) if (live[j] && live[k - j]) ops += 1; // y_k += j·x_j·w_{k−j}
    // w_k = 1 − Σ y_i·y_{k−i}, a symmetric product (half the pairs); the top w is never needed.
    if (k < K) for (let i = 0; 2 * i <= k; i++) if (live[i] && live[k - i]) ops += 1;
  }
  return ops * directions;
}
