/** Rows → configurations for the report: which rows' timings, memory and errors count. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aggregate } from '../report/aggregate.ts';
import { metricsTable } from '../report/sections.ts';
import { loadReference, Reference } from '../report/reference.ts';
import { cellId } from '../benchmarks/runner/cell-id.ts';
import type { ParsedRow } from '../benchmarks/runner/csv-store.ts';

const row = (seed: number, status: string, extra: ParsedRow): ParsedRow => {
  const key = { pde: 'allen-cahn-two-body', dim: 100, estimator: 'nested', R: 16, seed, steps: 100, backend: 'wasm' };
  return { cell: cellId(key), ...key, width: null, depth: null, block: null, variant: '', status, steps_done: null, it_per_s: null, rss_peak_mb: null, rel_l2_best: null, ...extra };
};

test('a run stopped at its time limit counts for speed and memory, not for error; a killed one counts for nothing', () => {
  const [c] = aggregate([
    row(0, 'ok', { steps_done: 100, it_per_s: 4, rss_peak_mb: 500, rel_l2_best: 0.1 }),
    row(1, 'timeout', { steps_done: 7, it_per_s: 2, rss_peak_mb: 700, rel_l2_best: 0.9 }),
    row(2, 'timeout', { rss_peak_mb: 900 }), // killed by the runner: the memory watch's peak, no record
  ]);
  assert.equal(c.status, 'ok');
  assert.deepEqual(c.statuses, { ok: 1, timeout: 2 });
  assert.deepEqual(c.stat('it_per_s'), { mean: 3, std: 1, n: 2 });
  assert.deepEqual(c.stat('rss_peak_mb'), { mean: 600, std: 100, n: 2 });
  assert.deepEqual(c.stat('rel_l2_best'), { mean: 0.1, std: 0, n: 1 });
  const [only] = aggregate([row(1, 'timeout', { steps_done: 7, it_per_s: 2 })]);
  assert.equal(only.status, 'timeout');
  assert.equal(only.stat('it_per_s')?.mean, 2);
});

test("the metrics table: a configuration whose every seed diverged shows DIVERGED for its errors, its speed as timed", () => {
  const stde = { pde: 'allen-cahn-two-body', dim: 100, estimator: 'stde-sparse', R: 16, seed: 0, steps: 100, backend: 'wasm' };
  const cs = aggregate([
    row(0, 'diverged', { steps_done: 40, it_per_s: 5, rss_peak_mb: 300 }),
    row(1, 'diverged', { steps_done: 20, it_per_s: 3, rss_peak_mb: 300 }),
    row(0, 'ok', { ...stde, cell: cellId(stde), steps_done: 100, it_per_s: 9, rss_peak_mb: 200, rel_l2_best: 0.01 }), // gives the table its error column
  ]);
  const html = metricsTable(cs, new Reference([]));
  const cells = [...html.matchAll(/<td[^>]*>(.*?)<\/td>/g)].map((m) => m[1].replace(/<[^>]+>/g, ''));
  const head = [...html.matchAll(/<th[^>]*>(.*?)<\/th>/g)].map((m) => m[1].replace(/<[^>]+>/g, ''));
  const at = (h: string) => cells[head.indexOf(h)];
  assert.equal(at('seeds'), '0/2');
  assert.equal(at('it/s'), '4.000 ± 1.000');
  assert.equal(at('rel L2 best'), 'DIVERGED');
});

test("the metrics table notes the points (and, for errors, steps) where ours ran other than the paper's preset", () => {
  const ref = loadReference(); // the paper's numbers: Table 3 ran allen-cahn-two-body at 100 points, 10,000 steps
  const at = (points: number) => {
    const base = { pde: 'allen-cahn-two-body', dim: 100, R: 16, seed: 0, steps: 10000, backend: 'wasm', points, width: 128, depth: 4, block: 1 };
    const stde = { ...base, estimator: 'stde-sparse' };
    const nested = { ...base, estimator: 'nested' };
    const cs = aggregate([
      { ...row(0, 'ok', {}), ...stde, cell: cellId(stde), steps_done: 10000, it_per_s: 50, rel_l2_best: 0.02 },
      { ...row(0, 'ok', {}), ...nested, cell: cellId(nested), steps_done: 10000, it_per_s: 1, rel_l2_best: 0.02 },
    ]);
    const html = metricsTable(cs, ref);
    return html.split('</tr>').find((r) => r.includes('stde-sparse R=16'))!.replace(/<[^>]+>/g, ' ');
  };
  assert.doesNotMatch(at(100), /points|the paper \d/);
  const apart = at(50);
  assert.match(apart, /50\.0×[^(]*\(50 points; the paper 100\)/, 'the speed-up, at other points');
  assert.match(apart, /\(50 points; the paper 100\).*\(50 points; the paper 100\)/, 'and the error ratio');
});
