/** The compare decision: Mann–Whitney U against scipy's values, and the factor-and-significance rule. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { mannWhitneyU } from '../benchmarks/compare/mann-whitney.ts';
import { compareCell, compareRuns, failsGate, formatTable, isRegression, type CellComparison, type RunData } from '../benchmarks/compare/compare-runs.ts';
import { UsageError } from '../engine/errors.ts';
import { appendRow, COLUMNS, type Row } from '../benchmarks/runner/csv-store.ts';
import { openRunForCompare } from '../benchmarks/compare/compare-runs.ts';
import { writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { tempDir } from './temp-dirs.ts';

test('Mann–Whitney U and its asymptotic p-value match scipy.stats.mannwhitneyu', () => {
  // scipy 1.17: mannwhitneyu(a, b, method="asymptotic") → statistic, pvalue
  const a = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const b = [3, 5, 7, 9, 11, 13, 15, 17, 19, 21];
  let r = mannWhitneyU(a, b);
  assert.equal(r.u, 18);
  assert.ok(Math.abs(r.p - 0.017090034751250798) < 1e-6, String(r.p));
  // With ties.
  r = mannWhitneyU([1, 1, 2, 2, 2, 3, 3, 4, 5, 5, 5, 5], [2, 3, 3, 4, 4, 4, 5, 6, 6, 7]);
  assert.equal(r.u, 36);
  assert.ok(Math.abs(r.p - 0.11576363750248676) < 1e-6, String(r.p));
  // Symmetric, and no evidence at all for identical samples.
  assert.ok(Math.abs(mannWhitneyU(b, a).p - mannWhitneyU(a, b).p) < 1e-12);
  assert.equal(mannWhitneyU([5, 5, 5], [5, 5]).p, 1);
});

function run(dir: string, cell: string, samples: number[] | undefined, status = 'ok', timing = 'wall clock per training step'): RunData {
  mkdirSync(join(dir, 'samples'), { recursive: true });
  const row = Object.fromEntries(COLUMNS.map((c) => [c, null])) as Row;
  // A run stopped at its time limit has a record (steps_done) when it timed steps.
  Object.assign(row, { cell, status, timing, step_ms_median: samples ? samples[Math.floor(samples.length / 2)] : null, steps_done: samples?.length ?? null });
  appendRow(join(dir, 'results.csv'), row);
  if (samples) writeFileSync(join(dir, 'samples', `${cell}.json`), JSON.stringify({ cell, step_ms: samples, evals: [] }));
  return openRunForCompare(join(dir, 'results.csv'));
}

test('a slowdown is a regression only when it exceeds the factor AND is significant', () => {
  // Deterministic jittered samples around 10 ms.
  const around = (m: number, n: number, seed: number) => Array.from({ length: n }, (_, i) => m * (1 + 0.05 * Math.sin(seed + i * 1.7)));
  const o = { factor: 1.1, alpha: 0.002 };
  const cmp = (b: number[] | undefined, n: number[] | undefined, bs = 'ok', ns = 'ok') =>
    compareCell('c', run(tempDir('b-'), 'c', b, bs), run(tempDir('n-'), 'c', n, ns), o);
  assert.equal(cmp(around(10, 200, 0), around(20, 200, 1)).verdict, 'regression');
  assert.equal(cmp(around(10, 200, 0), around(10.3, 200, 1)).verdict, 'same'); // significant but within the factor
  assert.equal(cmp(around(10.3, 200, 0), around(10, 200, 1)).verdict, 'same'); // a significant speed-up within the factor too
  assert.equal(cmp(around(20, 200, 0), around(10, 200, 1)).verdict, 'improvement');
  // Too few samples for any p < alpha: a slowdown past the factor is unchecked and fails the gate (it passed
  // as 'no samples'); within the factor it cannot be a regression either way.
  const few = cmp(around(10, 3, 0), around(20, 3, 1));
  assert.equal(few.verdict, 'too few samples');
  assert.ok(failsGate(few) && !isRegression(few));
  assert.equal(cmp(around(10, 3, 0), around(10.2, 3, 1)).verdict, 'no samples');
  assert.ok(!failsGate(cmp(around(10, 3, 0), around(10.2, 3, 1))));
  // Five new steps against two hundred can reach p < alpha: tested (a run of --steps 8 times seven).
  assert.equal(cmp(around(10, 200, 0), around(20, 5, 1)).verdict, 'regression');
  // A slowdown whose samples file is gone on one side: the CSV's medians say 2×, the test cannot run.
  const gone = tempDir('gone-');
  run(gone, 'c', around(20, 200, 1));
  rmSync(join(gone, 'samples', 'c.json'));
  const unsampled = compareCell('c', run(tempDir('b-'), 'c', around(10, 200, 0)), openRunForCompare(join(gone, 'results.csv')), o);
  assert.deepEqual([unsampled.verdict, failsGate(unsampled)], ['too few samples', true]);
  // A base cell the new run lacks is unchecked too (a renamed or dropped cell passed the gate).
  const dropped = compareCell('c', run(tempDir('b-'), 'c', around(10, 200, 0)), run(tempDir('n-'), 'other', around(10, 200, 0)), o);
  assert.deepEqual([dropped.verdict, failsGate(dropped)], ['missing', true]);
  // The test's direction must agree with the medians': here the median is 1.2× slower, yet most new
  // steps are faster (U below its mean), so this is no regression.
  const uniform = Array.from({ length: 300 }, (_, i) => (20 * i) / 300);
  const bimodal = Array.from({ length: 300 }, (_, i) => (i < 153 ? 12 : 1));
  const split = cmp(uniform.map((v) => v + 1), bimodal.map((v) => v + 1));
  assert.ok(split.ratio! > 1.1 && split.p! < 0.002, JSON.stringify(split));
  assert.equal(split.verdict, 'not significant');
  assert.equal(cmp([10, 30, 10, 30, 10, 30, 10, 30, 10, 30], [12, 30, 12, 30, 12, 31, 12, 30, 12, 30]).verdict, 'same');
  // Heavily overlapping noise: ratio above the factor but not significant.
  const noisy = (m: number) => Array.from({ length: 12 }, (_, i) => (i % 2 ? m * 3 : m));
  assert.equal(cmp(noisy(10), noisy(11.5)).verdict, 'not significant');
  assert.equal(cmp(around(20, 200, 0), around(10, 200, 1)).verdict, 'improvement');
  assert.equal(cmp(around(10, 200, 0), undefined, 'ok', 'oom').verdict, 'failed');
  assert.equal(cmp(undefined, around(10, 200, 0), 'timeout', 'ok').verdict, 'fixed');
  // Stopped at the time limit in both runs: its timed steps are still compared.
  assert.equal(cmp(around(10, 200, 0), around(20, 200, 1), 'timeout', 'timeout').verdict, 'regression');
  assert.equal(cmp(around(10, 200, 0), around(10, 200, 1), 'timeout', 'timeout').verdict, 'same');
  assert.equal(cmp(undefined, undefined, 'timeout', 'timeout').verdict, 'not run'); // killed with no record
  // Finished before, stopped now: a failure, with both speeds shown; so for a later step out of memory
  // (its record timed the steps before it), but not for an oom crash, which has no record.
  const stopped = cmp(around(10, 200, 0), around(10, 200, 0), 'ok', 'timeout');
  assert.deepEqual([stopped.verdict, stopped.ratio], ['failed', 1]);
  const laterOom = cmp(around(10, 200, 0), around(20, 200, 0), 'ok', 'oom');
  assert.deepEqual([laterOom.verdict, laterOom.ratio], ['failed', 2]);
  assert.deepEqual([cmp(around(10, 200, 0), undefined, 'ok', 'oom').ratio], [null]);
  // Timed differently (one step in flight against --sync-steps): neither a regression nor an improvement.
  const timed = (timing: string, m: number) => run(tempDir('t-'), 'c', around(m, 200, 0), 'ok', timing);
  const differs = compareCell('c', timed('per step', 10), timed('one step in flight', 20), o);
  assert.equal(differs.verdict, 'timing differs');
  assert.equal(differs.ratio, 2);
  assert.ok(failsGate(differs) && !isRegression(differs), 'the gate fails on a cell it cannot check');
  // The same mode worded otherwise is compared as usual: rewording the text does not turn the gate off.
  const reworded = compareCell('c', timed('wall clock, one step in flight, warm-up excluded', 10), timed('steps timed with one step in flight', 20), o);
  assert.equal(reworded.verdict, 'regression');
});

test('the compare table: failing verdicts first, cells by name within a verdict, base and new ms under their headings', () => {
  const cell = (name: string, verdict: CellComparison['verdict'], baseMs: number, newMs: number): CellComparison =>
    ({ cell: name, verdict, baseStatus: 'ok', newStatus: 'ok', baseMs, newMs, ratio: newMs / baseMs, p: 0.5 });
  const table = formatTable([cell('b-cell', 'same', 10, 10.5), cell('z-cell', 'regression', 10, 30), cell('a-cell', 'same', 20, 19)], { factor: 1.1, alpha: 0.002 });
  const lines = table.split('\n');
  const head = lines[0].split(/\s{2,}/);
  assert.deepEqual(head, ['verdict', 'base ms', 'new ms', 'ratio', 'p', 'status', 'cell']);
  const rows = lines.slice(1, 4).map((l) => l.split(/\s{2,}/));
  assert.deepEqual(rows.map((r) => [r[6], r[0], r[1], r[2], r[3]]), [
    ['z-cell', 'regression', '10.00', '30.00', '3.000'],
    ['a-cell', 'same', '20.00', '19.00', '0.950'],
    ['b-cell', 'same', '10.00', '10.50', '1.050'],
  ]);
});

test('two runs with no cell in common are refused as the wrong folders (exit 2), not compared cell by cell', () => {
  const o = { factor: 1.1, alpha: 0.002 };
  const samples = Array.from({ length: 20 }, (_, i) => 10 + (i % 3));
  assert.throws(() => compareRuns(run(tempDir('b-'), 'c1', samples), run(tempDir('n-'), 'c2', samples), o), (e: Error) => e instanceof UsageError && /have no cell in common .*: nothing to compare$/.test(e.message));
  // One cell in common: the others are compared as missing or new.
  const base = run(tempDir('b-'), 'c1', samples);
  appendRow(join(base.path), { ...Object.fromEntries(COLUMNS.map((c) => [c, null])), cell: 'c2', status: 'ok' } as Row);
  const verdicts = compareRuns(openRunForCompare(base.path), run(tempDir('n-'), 'c2', samples), o).map((c) => [c.cell, c.verdict]);
  assert.deepEqual(verdicts.find(([cell]) => cell === 'c1'), ['c1', 'missing']);
});

test('a results CSV with an unknown status, a non-finite number, an empty cell id or a bad dim is refused, naming its line', () => {
  const dir = tempDir('bad-csv-');
  const file = (name: string, edit: Partial<Row>) => {
    const row = Object.fromEntries(COLUMNS.map((c) => [c, null])) as Row;
    const path = join(dir, `${name}.csv`);
    appendRow(path, { ...row, cell: 'a', status: 'ok', dim: 10 });
    appendRow(path, { ...row, cell: 'b', status: 'ok', dim: 10, ...edit });
    return path;
  };
  for (const [edit, message] of [
    [{ status: 'banana' }, /line 3: unknown status 'banana' \(expected one of: ok, diverged, timeout, oom, error\)$/],
    [{ it_per_s: 'Infinity' }, /line 3: column it_per_s holds 'Infinity', not a finite number$/],
    [{ cell: '' }, /line 3: empty cell id$/],
    [{ dim: -5 }, /line 3: dim must be an integer ≥ 1, got '-5'$/],
  ] as const) {
    assert.throws(() => openRunForCompare(file(String(Object.values(edit)[0]).replace(/\W/g, '') || 'empty', edit as Partial<Row>)), (e: Error) => e.name === 'UsageError' && message.test(e.message));
  }
});
