/** `stde-bench bench-operators`: one CSV row per (estimator, d) cell, a stopped cell is a row too. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { tempDir } from './temp-dirs.ts';

const bin = join(import.meta.dirname, '..', 'bin', 'stde-bench.mjs');
const dir = tempDir('stde-bench-ops-');
const small = ['--width', '8', '--depth', '2', '--points', '4', '--R', '2', '--time-ms', '150'];
const run = (out: string, ...args: string[]) => {
  const r = spawnSync(process.execPath, [bin, 'bench-operators', '--out', out, ...small, ...args], { encoding: 'utf8' });
  const rows = r.status === 0 ? (parse(readFileSync(out, 'utf8'), { columns: true }) as Record<string, string>[]) : [];
  return { ...r, rows };
};

test('bench-operators times every requested cell and writes a CSV row for each', () => {
  const r = run(join(dir, 'ok.csv'), '--dims', '6,12', '--estimators', 'stde-sparse,forward-laplacian');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.rows.length, 4);
  for (const row of r.rows) {
    assert.equal(row.status, 'ok', row.message);
    assert.ok(Number(row.mean_ms) > 0 && Number(row.kernels_per_call) > 0 && Number(row.peak_tensor_mb) > 0);
    assert.ok(Math.abs((Number(row.it_per_s) * Number(row.mean_ms)) / 1000 - 1) < 1e-3, `it/s ${row.it_per_s} is 1000 / mean ms ${row.mean_ms}`);
  }
  assert.deepEqual(r.rows.map((x) => x.R), ['2', '0', '2', '0']); // exact estimators ignore R
  // A budget of 1 ms times the fewest calls (5), not tinybench's default 64.
  const brief = run(join(dir, 'brief.csv'), '--dims', '6', '--estimators', 'stde-sparse', '--time-ms', '1', '--R', '0');
  assert.equal(brief.status, 0, brief.stderr);
  assert.equal(brief.rows[0].samples, '5');
  assert.equal(brief.rows[0].R, '0'); // R = 0: all d dimensions, exact, as in every other command
  assert.match(brief.stdout, /ms\/call/); // one operator evaluation plus its gradient, not a training step
  // R > d refuses only where an estimator samples: the Forward Laplacian alone runs at d = 1 with --R 2.
  const exact = run(join(dir, 'exact.csv'), '--dims', '1', '--estimators', 'forward-laplacian', '--time-ms', '1');
  assert.equal(exact.status, 0, exact.stderr);
  assert.deepEqual(exact.rows.map((x) => [x.dim, x.R, x.status]), [['1', '0', 'ok']]);
  assert.match(r.stdout, /stde-sparse/);
  assert.equal(JSON.parse(readFileSync(join(dir, 'ok.machine.json'), 'utf8')).backend, 'wasm'); // the machine beside its CSV
  // An existing CSV is a measurement: not written over (one line, exit 2, kept as it was).
  const before = readFileSync(join(dir, 'ok.csv'), 'utf8');
  const again = run(join(dir, 'ok.csv'), '--dims', '6', '--estimators', 'stde-sparse');
  assert.equal(again.status, 2);
  assert.match(again.stderr.trim(), /^stde-bench: .*ok\.csv already exists \(a measurement: kept\); choose another --out$/);
  assert.equal(readFileSync(join(dir, 'ok.csv'), 'utf8'), before);
});

test("a new CSV whose machine description would replace another run's is refused too, writing nothing", () => {
  const machine = join(dir, 'lone.machine.json');
  writeFileSync(machine, '{"keep":"me"}');
  const r = run(join(dir, 'lone.csv'), '--dims', '6', '--estimators', 'stde-sparse');
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr.trim(), /^stde-bench: .*lone\.machine\.json already exists \(a measurement: kept\); choose another --out$/);
  assert.equal(readFileSync(machine, 'utf8'), '{"keep":"me"}');
  assert.ok(!existsSync(join(dir, 'lone.csv')));
});

test('a cell past --timeout is a timeout row, not a crash', () => {
  // A cell long on purpose (a 60 s time budget; the same cell at 150 ms finishes ok in a few seconds)
  // against a 2 s limit: the timeout does not depend on how fast the machine starts a child.
  const t0 = Date.now();
  const r = run(join(dir, 'timeout.csv'), '--dims', '6', '--estimators', 'nested', '--time-ms', '60000', '--timeout', '2');
  const wallS = (Date.now() - t0) / 1000;
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.rows.length, 1);
  assert.equal(r.rows[0].status, 'timeout', r.rows[0].message);
  assert.equal(r.rows[0].message, 'exceeded the time limit; killed');
  assert.equal(r.rows[0].mean_ms, '');
  assert.ok(wallS < 40, `the cell was stopped at its limit, not run out: ${wallS} s`);
});

test('bench-operators rejects an unknown estimator, R > d, empty lists, a malformed cell, an unknown backend and a folder for --out with exit 2', () => {
  // Each with the message it must give (matched against the one line).
  const cases: [string[], RegExp][] = [
    [['--estimators', 'magic'], /unknown estimator 'magic' \(expected one of: stde-sparse, /],
    [['--dims', '1', '--R', '2'], /R = 2 exceeds the dimension d = 1 \(stde-sparse samples R of them\)$/],
    [['--estimators', ''], /--estimators: empty list \(got ''\)/],
    [['--estimators', ','], /--estimators: empty list \(got ','\)/],
    [['--dims', ','], /--dims: empty list \(got ','\)/],
    [['--cell', '{bad'], /--cell: malformed JSON \(/],
    [['--cell', 'null'], /--cell: expected a JSON object, got null/],
    [['--dims', '20,,40'], /--dims: an empty item in '20,,40'/],
    [['--R', '0'], /stde-dense needs R > 0 probe vectors$/], // the default list has the probe estimators
    [['--dims', '20,40,20'], /--dims: '20' is given twice in '20,40,20'$/],
    [['--dims', '100,1e2'], /--dims: 100 is given twice in '100,1e2'$/],
    [['--estimators', 'nested, nested'], /--estimators: 'nested' is given twice in 'nested, nested'$/],
    [['--backend', 'nope'], /unknown backend 'nope' \(expected one of: wasm, /],
  ];
  // A folder's path for --out (the CSV and its machine description would go beside or into it).
  for (const out of [`${join(dir, 'new')}/`, join(dir, 'new.csv', '.') + '/.', dir]) cases.push([['--out', out], /--out must name a file, (got the folder '|and .* is a folder)/]);
  for (const [args, message] of cases) {
    const r = spawnSync(process.execPath, [bin, 'bench-operators', '--out', join(dir, 'bad.csv'), ...args], { encoding: 'utf8' });
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, `${args.join(' ')}: ${r.stderr}`);
    assert.match(lines[0], /^stde-bench: /, args.join(' '));
    assert.match(lines[0], message, args.join(' '));
  }
  for (const f of ['bad.csv', 'bad.machine.json', 'new', 'new.csv']) assert.ok(!existsSync(join(dir, f)), `bad input writes nothing: ${f}`);
});
