/**
 * Learning-rate schedules (pdes.md §8, D6–D7). lr(s) is the rate used by the update of step s
 * (s = 0 … S−1).
 *
 * - linear: lr₀·(1 − s/S), decaying to 0 over the run (all runs except the semilinear ones);
 * - exponential: lr₀·rate^(s/transition). The published semilinear code uses the run length as the
 *   transition (published-tables: 0.9995^(s/10000), effectively constant); the paper's text means
 *   transition 1 (paper-text: 0.9995^s).
 */
export type ScheduleSpec =
  | { kind: 'linear' }
  | { kind: 'exponential'; rate: number; transition: number | 'run' };

export interface Schedule {
  name: string;
  lr(step: number): number;
}

export function makeSchedule(spec: ScheduleSpec, lr0: number, steps: number): Schedule {
  if (spec.kind === 'linear') {
    return { name: `linear ${lr0} → 0 over ${steps} steps`, lr: (s) => lr0 * (1 - s / steps) };
  }
  const transition = spec.transition === 'run' ? steps : spec.transition;
  return {
    name: `exponential ${lr0}·${spec.rate}^(s/${transition})`,
    lr: (s) => lr0 * Math.pow(spec.rate, s / transition),
  };
}
