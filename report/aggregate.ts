/**
 * Rows → configurations: the seeds of one configuration (same cell id but the seed) are summarised as
 * mean ± std (population std, as the published code reports; pdes.md §10), over the cells that ran.
 */
import { hasTimedSteps, type ParsedRow } from '../benchmarks/runner/csv-store.ts';
import { configId } from '../benchmarks/runner/cell-id.ts';
import type { ConfigKey } from './reference.ts';

export interface Stat {
  mean: number;
  std: number;
  n: number;
}

export interface ConfigSummary extends ConfigKey {
  id: string;
  steps: number;
  /** Residual points per step (null: a row that names none, such as a crash's). */
  points: number | null;
  backend: string;
  label: string;
  rows: ParsedRow[];
  statuses: Record<string, number>;
  /** 'ok' when any seed ran; otherwise the failure (oom, timeout, error, diverged). */
  status: string;
  messages: string[];
  stat(metric: string): Stat | null;
}

/** Errors of a diverged or stopped run are not results; its timings are. */
const ACCURACY = new Set(['rel_l2_final', 'rel_l2_best', 'rel_l1_final', 'rel_l1_best']);

export function estimatorLabel(k: { estimator: string; R: number; variant?: string }): string {
  return `${k.estimator}${k.R ? ` R=${k.R}` : ''}${k.variant ? ` [${k.variant}]` : ''}`;
}

function stat(values: number[]): Stat | null {
  if (!values.length) return null;
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const std = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
  return { mean, std, n: values.length };
}

export function aggregate(rows: ParsedRow[]): ConfigSummary[] {
  const groups = new Map<string, ParsedRow[]>();
  for (const r of rows) {
    const id = configId(String(r.cell));
    groups.set(id, [...(groups.get(id) ?? []), r]);
  }
  return [...groups].map(([id, rs]) => {
    const r0 = rs[0];
    const statuses: Record<string, number> = {};
    for (const r of rs) statuses[String(r.status)] = (statuses[String(r.status)] ?? 0) + 1;
    const ran = rs.filter(hasTimedSteps);
    const ok = rs.filter((r) => r.status === 'ok');
    const failure = Object.keys(statuses).find((s) => s !== 'ok') ?? 'ok';
    const key = {
      pde: String(r0.pde),
      dim: Number(r0.dim),
      estimator: String(r0.estimator),
      R: Number(r0.R),
      width: r0.width as number | null,
      depth: r0.depth as number | null,
      block: r0.block as number | null,
      variant: String(r0.variant ?? ''),
    };
    return {
      ...key,
      id,
      steps: Number(r0.steps),
      points: rs.map((r) => r.points).find((p): p is number => typeof p === 'number') ?? null,
      backend: String(r0.backend),
      label: estimatorLabel(key),
      rows: rs,
      statuses,
      status: ok.length ? 'ok' : failure,
      messages: [...new Set(rs.filter((r) => r.status !== 'ok' && r.message).map((r) => String(r.message)))],
      stat(metric: string) {
        const from = ACCURACY.has(metric) ? ok : ran;
        return stat(from.map((r) => r[metric]).filter((v): v is number => typeof v === 'number' && Number.isFinite(v)));
      },
    };
  });
}

/**
 * Nested backprop's configuration at the same d, points per step, network and variant, with a speed (the same R where
 * nested ran with it): what speed-ups are taken over, ours and the paper's alike.
 */
export function nestedPeer(c: ConfigSummary, cs: ConfigSummary[]): ConfigSummary | undefined {
  const peers = cs.filter((n) => n.estimator === 'nested' && n.dim === c.dim && n.points === c.points && n.width === c.width && n.depth === c.depth && n.block === c.block && n.variant === c.variant && n.stat('it_per_s'));
  return peers.find((n) => n.R === c.R) ?? peers[0];
}
