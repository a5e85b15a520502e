/**
 * `stde-bench targets` end to end at toy sizes: every ratio of the scale-and-speed issue becomes a
 * row of targets.csv with a numeric value from a run, next to machine.json; bad input is one line
 * and exit 2, and writes nothing. (Timing values are not asserted: tests check behaviour.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { execa } from 'execa';
import { parse } from 'csv-parse/sync';
import { memoryRow } from '../benchmarks/targets/memory-target.ts';
import { tempDir } from './temp-dirs.ts';
import { sleeper } from './sleeper.ts';

const bin = join(import.meta.dirname, '..', 'bin', 'stde-bench.mjs');
const cli = (...args: string[]) => execa(process.execPath, [bin, ...args], { reject: false, env: { FORCE_COLOR: '0' } });

test('targets measures every ratio at toy sizes and writes targets.csv + machine.json', async () => {
  const out = join(tempDir('targets-'), 'out');
  const r = await cli('targets', '--floor-dims', '20', '--floor-rounds', '2', '--speed-dims', '20', '--steps', '5', '--no-memory', '--out', out);
  assert.equal(r.exitCode, 0, r.stderr);
  const rows = parse(readFileSync(join(out, 'targets.csv')), { columns: true }) as Record<string, string>[];
  const targets = rows.map((x) => x.target);
  assert.deepEqual(targets, [
    'floor ratio (stde-sparse)',
    'floor ratio (stde-collapsed)',
    'speed-up over nested',
    'speed-up over nested-checkpointed',
    'speed-up over nested-batched',
    'speed-up over nested-batched-checkpointed',
    'kernel share',
    'kernel share',
  ]);
  for (const row of rows) assert.ok(Number.isFinite(Number(row.value)) && Number(row.value) > 0, `${row.target} [${row.config}]: ${row.value}`);
  // The floor ratio is the median of the rounds' ratios (runs of one round go in turn), listing every run.
  for (const row of rows.filter((x) => x.target.startsWith('floor ratio'))) {
    const m = /^median of 2 rounds' ratios: ([\d.]+) \/ ([\d.]+); median steps (stde-\w+) ([\d.]+) \/ ([\d.]+) ms, none ([\d.]+) \/ ([\d.]+) ms$/.exec(row.detail);
    assert.ok(m, row.detail);
    const [a, b, , s1, s2, n1, n2] = [...m.slice(1, 3).map(Number), m[3], ...m.slice(4).map(Number)] as number[];
    // (the milliseconds are printed to 0.1: their ratio agrees within what that rounding allows)
    const near = (r: number, s: number, n: number) => Math.abs(r - s / n) <= (s / n) * (0.05 / s + 0.05 / n) + 1e-3;
    assert.ok(near(a, s1, n1) && near(b, s2, n2), `each round's ratio is its runs': ${row.detail}`);
    assert.ok(Math.abs(Number(row.value) - (a + b) / 2) < 1e-3, `the median of two is their mean: ${row.value} (${row.detail})`);
  }
  // A speed-up is nested's step over stde-sparse's, as its detail lists them.
  for (const row of rows.filter((x) => x.target.startsWith('speed-up'))) {
    const m = /^(nested[\w-]*) ([\d.]+) ms, stde-sparse ([\d.]+) ms per step$/.exec(row.detail);
    assert.ok(m, row.detail);
    const [t, s] = [Number(m[2]), Number(m[3])];
    assert.ok(Math.abs(Number(row.value) - t / s) <= (t / s) * (0.05 / t + 0.05 / s) + 1e-3, `${row.target}: ${row.value} is ${t} / ${s}`);
  }
  assert.deepEqual(rows.filter((x) => x.target === 'kernel share').map((x) => x.config), ['d=100 R=16 N=100', 'd=20 R=16 N=100']);
  assert.match(rows.find((x) => x.target === 'kernel share')!.detail, /^\d+ kernels; /);
  const machine = JSON.parse(readFileSync(join(out, 'machine.json'), 'utf8'));
  assert.equal(machine.backend, 'wasm');
  // A folder that holds a measurement is not measured into again: one line, exit 2, both files kept.
  const [csvBefore, machineBefore] = ['targets.csv', 'machine.json'].map((f) => readFileSync(join(out, f), 'utf8'));
  const again = await cli('targets', '--floor-dims', '20', '--speed-dims', '20', '--steps', '5', '--no-memory', '--out', out);
  assert.equal(again.exitCode, 2);
  assert.match(again.stderr.trim(), /^stde-bench: .*out already holds targets\.csv \(a measurement: kept\); choose another --out$/);
  assert.deepEqual(['targets.csv', 'machine.json'].map((f) => readFileSync(join(out, f), 'utf8')), [csvBefore, machineBefore]);
  // Nor is a run's folder: its machine.json describes the run's measurement.
  const runDir = tempDir('targets-run-');
  writeFileSync(join(runDir, 'machine.json'), '{"run": 1}');
  const intoRun = await cli('targets', '--floor-dims', '20', '--speed-dims', '20', '--steps', '5', '--no-memory', '--out', runDir);
  assert.equal(intoRun.exitCode, 2);
  assert.match(intoRun.stderr.trim(), /^stde-bench: .* already holds machine\.json \(a measurement: kept\); choose another --out$/);
  assert.equal(readFileSync(join(runDir, 'machine.json'), 'utf8'), '{"run": 1}');
});

test('targets writes each row as it comes: a run stopped part-way keeps the rows it measured', async () => {
  const out = join(tempDir('targets-'), 'out');
  const run = execa(process.execPath, [bin, 'targets', '--floor-dims', '20', '--floor-rounds', '1', '--speed-dims', '20', '--steps', '5', '--no-memory', '--out', out], { reject: false });
  const csv = join(out, 'targets.csv');
  const t0 = Date.now();
  while (!(existsSync(csv) && readFileSync(csv, 'utf8').trim().split('\n').length >= 3)) {
    assert.ok(Date.now() - t0 < 120_000, 'no rows after 120 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  run.kill('SIGKILL');
  await run;
  const rows = parse(readFileSync(csv), { columns: true }) as Record<string, string>[];
  assert.ok(rows.length >= 2 && rows.length < 8, `${rows.length} rows`);
  assert.deepEqual(rows.slice(0, 2).map((x) => x.target), ['floor ratio (stde-sparse)', 'floor ratio (stde-collapsed)']);
});

test('targets into a folder another run is writing is refused with one line and exit 2, writing nothing', async (t) => {
  const out = tempDir('targets-locked-');
  const writer = sleeper(t, true);
  writeFileSync(join(out, '.run.lock'), String(writer));
  const r = await cli('targets', '--floor-dims', '20', '--speed-dims', '20', '--steps', '5', '--no-memory', '--out', out);
  assert.equal(r.exitCode, 2, r.stderr);
  assert.match(r.stderr.trim(), new RegExp(`^stde-bench: .* is being written by another stde-bench run or targets \\(pid ${writer}\\); [^\\n]*$`));
  assert.ok(!existsSync(join(out, 'machine.json')) && !existsSync(join(out, 'targets.csv')));
  assert.equal(readFileSync(join(out, '.run.lock'), 'utf8'), String(writer));
});

test('targets rejects bad input with one line and exit 2, writing nothing', async () => {
  const out = join(tempDir('targets-'), 'out');
  // Each with the message it must give (matched against the one line).
  const cases: [string[], RegExp][] = [
    [['--speed-dims', '8'], /--speed-dims must be ≥ 16, got 8/],
    [['--floor-dims', '10'], /--floor-dims must be ≥ 16, got 10/],
    [['--floor-rounds', '0'], /--floor-rounds must be ≥ 1, got 0/],
    [['--no-memory', '--memory-steps', '2'], /--memory-steps does nothing with --no-memory: it skips the memory runs$/],
    [['--steps', 'x'], /--steps must be an integer below 2⁵³, got 'x'/],
    [['--backend', 'nope'], /unknown backend 'nope' \(expected one of: wasm, /],
  ];
  for (const [args, message] of cases) {
    const r = await cli('targets', ...args, '--no-memory', '--out', out);
    assert.equal(r.exitCode, 2, `${args.join(' ')}: ${r.stderr}`);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, `${args.join(' ')}: ${r.stderr}`);
    assert.match(lines[0], /^stde-bench: /, args.join(' '));
    assert.match(lines[0], message, args.join(' '));
  }
  assert.ok(!existsSync(out));
});

test('the memory target takes the RSS peak in MiB (as records give it) against 3.5 GB of 10⁹ bytes', () => {
  const rec = { status: 'ok', rss_peak_mb: 3400, wasm_heap_mb: 1800, peak_tensor_mb: 3517.4, params: 128_033_281, step_ms_median: 2527.1 };
  const row = memoryRow('d=1000000 B=1 R=16 N=100', rec);
  assert.equal(row.value, 3.565); // 3400 · 2²⁰ bytes
  assert.equal(row.met, 'false');
  assert.equal(memoryRow('c', { ...rec, rss_peak_mb: 3300 }).met, 'true'); // 3.460 GB
  assert.equal(memoryRow('c', { ...rec, rss_peak_mb: 1000, status: 'oom' }).met, 'false');
  assert.match(row.detail, /^status ok; RSS peak 3400 MB, WASM heap 1800 MB, tensor peak 3517 MB, 128033281 parameters, 2527\.1 ms\/step$/);
});
