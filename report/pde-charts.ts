/**
 * Which charts a PDE gets: speed and memory over d (or per network where d is fixed), speed-up over
 * nested backprop, and error against steps per d, with one colour per series across a PDE's charts.
 * The vega-lite specs themselves are built by charts.ts.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { LoadedRun } from './load-run.ts';
import { nestedPeer, type ConfigSummary } from './aggregate.ts';
import { barChart, errorChart, scalingChart, type BarPoint, type ErrorChartPoint, type FailedPoint, type SeriesPoint } from './charts.ts';
import { FINISHED } from '../benchmarks/runner/csv-store.ts';

export interface Chart {
  name: string;
  kind: string;
  pde: string;
  caption: string;
  spec: TopLevelSpec;
}

/** The network of a configuration (width, depth, weight-sharing block), to tell series apart. */
function netOf(c: ConfigSummary): string {
  return `w${c.width ?? '?'} L${c.depth ?? '?'}${(c.block ?? 1) > 1 ? ` B${c.block}` : ''}`;
}

/** The same colour for the same estimator on every chart of a PDE. */
function withSeriesColours<T>(spec: T, domain: string[]): T {
  const layers = (spec as { layer?: { encoding?: { color?: Record<string, unknown> } }[] }).layer ?? [spec as { encoding?: { color?: Record<string, unknown> } }];
  for (const l of layers) if (l.encoding?.color) l.encoding.color.scale = { domain };
  return spec;
}

/** The memory chart's two probes: solid, then dashed. */
const MEMORY_KINDS: [string, string] = ['tensor peak (tf.profile + Adam moments)', 'process RSS peak'];

/** Series name of a configuration: the estimator label, plus the network when a PDE has several. */
function seriesOf(c: ConfigSummary, multiNet: boolean): string {
  return multiNet ? `${c.label} (${netOf(c)})` : c.label;
}

/** The charts of one PDE, from its configurations and (for the error charts) the run's samples files. */
export function chartsFor(pde: string, cs: ConfigSummary[], run: LoadedRun): Chart[] {
  const nets = new Set(cs.map((c) => netOf(c)));
  const dims = new Set(cs.map((c) => c.dim));
  // One d and several networks (Table 11): compare across networks instead of across d.
  const byNet = dims.size === 1 && nets.size > 1;
  const multi = nets.size > 1 && !byNet;
  const s = (c: ConfigSummary) => seriesOf(c, multi);
  const charts: Chart[] = [];
  // A cell stopped at its time limit with steps timed is a point of the speed chart, not a failure marker.
  const failed: FailedPoint[] = cs.filter((c) => !FINISHED.has(c.status) && !c.stat('it_per_s')).map((c) => ({ dim: c.dim, series: s(c), status: c.status }));
  const netOrder = (c: ConfigSummary) => (c.depth ?? 0) * 1e6 + (c.width ?? 0) * 10 + (c.block ?? 1) / 1e4;
  const bar = (c: ConfigSummary, value: number): BarPoint =>
    byNet ? { x: netOf(c), order: netOrder(c), series: s(c), value } : { x: String(c.dim), order: c.dim, series: s(c), value };

  if (byNet) {
    const speed = cs.flatMap((c) => (c.stat('it_per_s') ? [bar(c, (c.stat('it_per_s') as { mean: number }).mean)] : []));
    if (speed.length) {
      charts.push({
        name: `${pde}-speed`, kind: 'speed-by-network', pde,
        caption: `Steady-state iterations per second per network (width w, depth L, block B), d = ${[...dims][0]}. Failed cells are listed in the table.`,
        spec: barChart(`${pde}: speed per network`, 'network', 'iterations / s', speed),
      });
    }
    const mem = cs.flatMap((c) => (c.stat('peak_tensor_mb') ? [bar(c, (c.stat('peak_tensor_mb') as { mean: number }).mean)] : []));
    if (mem.length) {
      charts.push({
        name: `${pde}-memory`, kind: 'memory-by-network', pde,
        caption: 'Tensor peak of one profiled step per network (process resident peak: see the table).',
        spec: barChart(`${pde}: peak tensor memory per network`, 'network', 'MB', mem),
      });
    }
  } else {
    const speed: SeriesPoint[] = cs.flatMap((c) => {
      const v = c.stat('it_per_s');
      return v ? [{ dim: c.dim, series: s(c), value: v.mean }] : [];
    });
    if (speed.length || failed.length) {
      charts.push({
        name: `${pde}-speed`, kind: 'speed-scaling', pde,
        caption: 'Steady-state iterations per second over d (log–log); markers at the top: cells that did not run.',
        spec: scalingChart(`${pde}: speed over d`, 'iterations / s', speed, failed),
      });
    }
    const mem: SeriesPoint[] = cs.flatMap((c) => {
      const out: SeriesPoint[] = [];
      const t = c.stat('peak_tensor_mb');
      const r = c.stat('rss_peak_mb');
      if (t) out.push({ dim: c.dim, series: s(c), value: t.mean, kind: MEMORY_KINDS[0] });
      if (r) out.push({ dim: c.dim, series: s(c), value: r.mean, kind: MEMORY_KINDS[1] });
      return out;
    });
    if (mem.length || failed.length) {
      charts.push({
        name: `${pde}-memory`, kind: 'memory-scaling', pde,
        caption: 'Peak memory over d (log–log): tensor peak of one profiled step, Adam moments kept outside tensors included (solid), and process resident peak (dashed).',
        spec: scalingChart(`${pde}: peak memory over d`, 'MB', mem, failed, { title: 'probe', kinds: MEMORY_KINDS }),
      });
    }
  }
  const speedup: BarPoint[] = cs.flatMap((c) => {
    const mine = c.stat('it_per_s');
    const ref = c.estimator === 'nested' ? undefined : nestedPeer(c, cs)?.stat('it_per_s')?.mean;
    return mine && ref ? [bar(c, mine.mean / ref)] : [];
  });
  if (speedup.length) {
    charts.push({
      name: `${pde}-speedup`, kind: 'speedup', pde,
      caption: `Iterations per second relative to nested backprop (looped SDGD) at the same ${byNet ? 'network' : 'd'}; dashed line: 1×.`,
      spec: barChart(`${pde}: speed-up over nested backprop`, byNet ? 'network' : 'dimension d', 'speed-up over nested (×)', speedup, true),
    });
  }
  for (const dim of [...dims].sort((a, b) => a - b)) {
    const at = cs.filter((c) => c.dim === dim && FINISHED.has(c.status));
    const pts = (field: 'rel_l2' | 'rel_l1'): ErrorChartPoint[] =>
      at.flatMap((c) => {
        const bySteps = new Map<number, number[]>();
        for (const r of c.rows) {
          if (r.status !== 'ok') continue;
          for (const e of run.evals(String(r.cell))) {
            const v = e[field];
            if (typeof v === 'number' && Number.isFinite(v) && v > 0) bySteps.set(e.step, [...(bySteps.get(e.step) ?? []), v]);
          }
        }
        return [...bySteps].map(([step, vs]) => ({ step, series: seriesOf(c, nets.size > 1), value: vs.reduce((a, b) => a + b, 0) / vs.length }));
      });
    const l2 = pts('rel_l2');
    const [points, label] = l2.length ? [l2, 'relative L2 error'] : [pts('rel_l1'), 'relative L1 error'];
    if (points.length) {
      charts.push({
        name: `${pde}-d${dim}-error`, kind: 'error-steps', pde,
        caption: `Test error at each evaluation (mean over seeds), d = ${dim}.`,
        spec: errorChart(`${pde}, d = ${dim}: error over training`, label, points),
      });
    }
  }
  const domain = [...new Set(cs.map((c) => s(c)))].sort();
  const errorDomain = [...new Set(cs.map((c) => seriesOf(c, nets.size > 1)))].sort();
  return charts.map((ch) => ({ ...ch, spec: withSeriesColours(ch.spec, ch.kind === 'error-steps' ? errorDomain : domain) }));
}
