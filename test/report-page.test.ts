/** The report's charts and page header as specified, before rendering: what a reader could not tell apart before. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as vl from 'vega-lite';
import { errorChart, scalingChart } from '../report/charts.ts';
import { reportPage } from '../report/sections.ts';
import { Reference } from '../report/reference.ts';
import type { LoadedRun } from '../report/load-run.ts';
import { chartsFor } from '../report/pde-charts.ts';
import { aggregate } from '../report/aggregate.ts';
import { cellId } from '../benchmarks/runner/cell-id.ts';
import type { ParsedRow } from '../benchmarks/runner/csv-store.ts';

type Layer = { data?: { values: Record<string, unknown>[] }; mark: { type: string }; encoding: Record<string, unknown> };

test("failure labels of one d are stacked, each in its estimator's colour; the probe legend draws dashes", () => {
  const points = [
    { dim: 100, series: 'a', value: 1, kind: 'tensor' },
    { dim: 100, series: 'a', value: 2, kind: 'rss' },
  ];
  const failed = [
    { dim: 1000, series: 'a', status: 'oom' },
    { dim: 1000, series: 'b', status: 'timeout' },
    { dim: 1000, series: 'c', status: 'oom' },
    { dim: 10000, series: 'a', status: 'oom' },
  ];
  const spec = scalingChart('t', 'MB', points, failed, { title: 'probe', kinds: ['tensor', 'rss'] }) as unknown as { layer: Layer[] };
  const labels = spec.layer.find((l) => l.mark.type === 'text')!;
  // All at 8 px before: three labels at d = 1000 were drawn over each other as one.
  assert.deepEqual(labels.data!.values.map((v) => [v.dim, v.label, v.y]), [[1000, 'OOM', 8], [1000, 'TIMEOUT', 19], [1000, 'OOM', 30], [10000, 'OOM', 8]]);
  assert.deepEqual(labels.encoding.y, { field: 'y', type: 'quantitative', scale: null });
  // On a line mark with filled points, vega-lite gave the probe legend's symbols a transparent stroke.
  const legends = (vl.compile(spec as never).spec as { legends: { strokeDash?: string; encode?: { symbols?: { update?: { stroke?: { value: string } } } } }[] }).legends;
  const probe = legends.find((l) => l.strokeDash)!;
  assert.ok(probe, JSON.stringify(legends));
  assert.notEqual(probe.encode?.symbols?.update?.stroke?.value, 'transparent');
});

test("the speed-up chart's bars are ours over nested's iterations per second, at the same d and R", () => {
  const row = (estimator: string, R: number, dim: number, it: number): ParsedRow => {
    const key = { pde: 'allen-cahn-two-body', dim, estimator, R, seed: 0, steps: 50, backend: 'wasm' };
    return { cell: cellId(key), ...key, width: 128, depth: 4, block: 1, points: 100, variant: '', status: 'ok', steps_done: 50, it_per_s: it, rss_peak_mb: null, rel_l2_best: null };
  };
  const cs = aggregate([row('nested', 16, 100, 2), row('stde-sparse', 16, 100, 20), row('nested', 16, 1000, 0.5), row('stde-sparse', 16, 1000, 40)]);
  const noEvals = { evals: () => [] } as unknown as LoadedRun;
  const chart = chartsFor('allen-cahn-two-body', cs, noEvals).find((c) => c.kind === 'speedup')!;
  const bars = (chart.spec as unknown as { layer: Layer[] }).layer[0].data!.values;
  assert.deepEqual(bars.map((b) => [b.x, b.series, b.value]), [['100', 'stde-sparse R=16', 10], ['1000', 'stde-sparse R=16', 80]]);
});

test('scaling charts are log–log, their failure labels on the same log d axis', () => {
  const spec = scalingChart('t', 'it/s', [{ dim: 100, series: 'a', value: 3 }], [{ dim: 1000, series: 'a', status: 'oom' }]) as unknown as { layer: Layer[] };
  const scale = (l: Layer, axis: 'x' | 'y') => (l.encoding[axis] as { scale?: { type?: string } | null }).scale?.type;
  const [line, point, labels] = spec.layer;
  assert.deepEqual([line.mark.type, point.mark.type, labels.mark.type], ['line', 'point', 'text']);
  for (const l of [line, point]) assert.deepEqual([scale(l, 'x'), scale(l, 'y')], ['log', 'log'], l.mark.type);
  assert.equal(scale(labels, 'x'), 'log'); // else a label sat at a linear d among log-placed points
});

test("the error chart's step axis prints whole steps (one evaluation gave '300.000000')", () => {
  const spec = errorChart('t', 'rel L2', [{ step: 300, series: 'a', value: 0.01 }]) as unknown as Layer;
  assert.deepEqual((spec.encoding.x as { axis: unknown }).axis, { format: 'd', tickMinStep: 1 });
});

test('the page header names the per-cell limits a group of the matrix set for itself', () => {
  const group = { pdes: ['allen-cahn-two-body'], dims: [100], R: [100], seeds: [0], steps: 50 };
  const run: LoadedRun = {
    dir: 'x',
    rows: [],
    run: {
      timeoutS: 300,
      memoryMb: 19284,
      matrix: { name: 'm', description: '', groups: [{ ...group, estimators: ['nested'] }, { ...group, estimators: ['nested-checkpointed', 'nested-batched-checkpointed'], timeoutS: 600 }] },
    },
    evals: () => [],
  };
  const page = reportPage('x', run, [], [], new Reference([]));
  assert.match(page, /per-cell limits: 300 s \(600 s for nested-checkpointed, nested-batched-checkpointed\), 19284 MB ·/);
});
