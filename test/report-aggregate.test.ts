/** Rows → configurations for the report: which rows' timings, memory and errors count. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aggregate, nestedPeer } from '../report/aggregate.ts';
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
  // The error's ratio is ours over the paper's: 0.02 against Table 3's 1.89E-02 for stde-sparse R = 16.
  assert.match(at(100), /\s1\.06×/);
  const apart = at(50);
  assert.match(apart, /50\.0×[^(]*\(50 points; the paper 100\)/, 'the speed-up, at other points');
  assert.match(apart, /\(50 points; the paper 100\).*\(50 points; the paper 100\)/, 'and the error ratio');
});

test("speed-ups over nested: the paper's over its own nested baseline, never a stand-in's; '—' where the paper's counterpart is that run itself", () => {
  const ref = loadReference();
  const cell = (dim: number, estimator: string, R: number, status: string, it: number | null) => {
    const key = { pde: 'allen-cahn-two-body', dim, estimator, R, seed: 0, steps: 50, backend: 'wasm', points: 100, width: 128, depth: 4, block: 1 };
    return { ...row(0, status, {}), ...key, cell: cellId(key), steps_done: it === null ? null : 50, it_per_s: it };
  };
  const cs = aggregate([
    cell(100, 'nested', 100, 'ok', 0.217),
    cell(100, 'nested-checkpointed', 100, 'ok', 0.666),
    cell(100, 'stde-sparse', 16, 'ok', 49.7),
    cell(100000, 'nested', 100, 'oom', null),
    cell(100000, 'stde-sparse', 16, 'ok', 3.6),
  ]);
  const html = metricsTable(cs, ref);
  const speedUp = (dim: number, label: string) => {
    const tr = html.split('</tr>').find((r) => r.includes(`<td>${dim}</td>`) && r.includes(`<td>${label}</td>`))!;
    const [, title, text] = /<span title="(ours over nested[^"]*)">([^<]*)<\/span>/.exec(tr) ?? [];
    return { title: title?.replace(/&#39;/g, "'"), text };
  };
  // The paper's JAX nested ran out of memory at 10⁵: its PyTorch row (0.23 it/s) made this 1.2e+3×.
  assert.deepEqual(speedUp(100000, 'stde-sparse R=16'), { title: "ours over nested R=—; the paper's over Backward mode SDGD (JAX) (`scan`), R=100", text: '— / —' });
  const own = speedUp(100, 'nested-checkpointed R=100');
  assert.equal(own.text, '3.07× / —');
  assert.match(own.title, /\(Backward mode SDGD \(JAX\) \(`scan`\) stands in for nested-checkpointed, and is the nested run itself\)$/);
  assert.equal(speedUp(100, 'stde-sparse R=16').text, '229× / 45.1×'); // whole numbers from 100 on, not 2.3e+2×
});

test('a speed-up is taken over nested at the same R where nested ran with it, else over nested at another R with the same network', () => {
  const cell = (estimator: string, R: number, it: number, width = 128) => {
    const key = { pde: 'allen-cahn-two-body', dim: 1000, estimator, R, seed: 0, steps: 50, backend: 'wasm', points: 100, width, depth: 4, block: 1 };
    return { ...row(0, 'ok', {}), ...key, cell: cellId(key), steps_done: 50, it_per_s: it };
  };
  const cs = aggregate([cell('nested', 100, 0.2), cell('nested', 16, 1), cell('nested', 8, 2, 64), cell('stde-sparse', 16, 40), cell('stde-sparse', 100, 30), cell('stde-sparse', 50, 35), cell('stde-sparse', 8, 50, 64)]);
  const peerOf = (R: number, width = 128) => nestedPeer(cs.find((c) => c.estimator === 'stde-sparse' && c.R === R && c.width === width)!, cs);
  assert.deepEqual([peerOf(16)?.R, peerOf(100)?.R], [16, 100]);
  assert.equal(peerOf(50)?.width, 128); // no nested at R = 50: one with the same network
  assert.deepEqual([peerOf(8, 64)?.R, peerOf(8, 64)?.width], [8, 64]);
});

test("the paper's parameter count belongs to the network: every estimator and R of ours with that network at that d shows it", () => {
  const key = { pde: 'allen-cahn-two-body', dim: 1000000, estimator: 'stde-sparse', R: 100, seed: 0, steps: 50, backend: 'wasm', points: 100, width: 128, depth: 4, block: 1 };
  const cs = aggregate([{ ...row(0, 'ok', {}), ...key, cell: cellId(key), steps_done: 50, it_per_s: 0.38, params: 128033281 }]);
  const html = metricsTable(cs, loadReference()); // Table 10 prints it for STDE at R = 16 only
  const cells = [...html.matchAll(/<td[^>]*>(.*?)<\/td>/g)].map((m) => m[1].replace(/<[^>]+>/g, ''));
  const head = [...html.matchAll(/<th[^>]*>(.*?)<\/th>/g)].map((m) => m[1].replace(/<[^>]+>/g, ''));
  const at = head.indexOf('params');
  assert.deepEqual(cells.slice(at, at + 3), ['128,033,281', '128033281', '1.00×']);
});
