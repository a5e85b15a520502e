/**
 * `stde-bench report DIR` on bad input (no finished cell, malformed samples, run.json and machine.json
 * of the wrong types, output paths that cannot be written, a file or nothing given as DIR): one line,
 * exit code 2, and the report already there left exactly as it was.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { buildReport } from '../report/build-report.ts';
import { UsageError } from '../engine/errors.ts';
import { readRows } from '../benchmarks/runner/csv-store.ts';
import { tempDir } from './temp-dirs.ts';

const bin = join(import.meta.dirname, '..', 'bin', 'stde-bench.mjs');
const report = (dir: string) => execa(process.execPath, [bin, 'report', dir], { reject: false, env: { FORCE_COLOR: '0' } });
// A small committed run (results/quick/ is not in the repository: results/* is ignored).
const SOURCE = join(import.meta.dirname, '..', 'results', 'baseline', 'ci');

const root = tempDir('report-input-');
const base = join(root, 'base');
let charts: string[] = [];

before(async () => {
  cpSync(SOURCE, base, { recursive: true });
  const r = await report(base);
  assert.equal(r.exitCode, 0, r.stderr);
  charts = readdirSync(join(base, 'report', 'charts'));
  assert.ok(charts.length >= 2, charts.join(', '));
  // Mark the earlier report, so that rewriting a file with the same bytes would still show.
  writeFileSync(join(base, 'report', 'index.html'), 'earlier index.html');
  for (const f of charts) writeFileSync(join(base, 'report', 'charts', f), `earlier ${f}`);
});

after(() => rmSync(root, { recursive: true, force: true }));

/** A copy of the run with its earlier report, changed by `edit`. */
function copy(name: string, edit: (dir: string) => void = () => {}): string {
  const dir = join(root, name);
  cpSync(base, dir, { recursive: true });
  edit(dir);
  return dir;
}

const sample = (dir: string) => join(dir, 'samples', readdirSync(join(dir, 'samples'))[0]);
const editJson = (path: string, change: (v: Record<string, unknown>) => unknown) =>
  writeFileSync(path, JSON.stringify(change(JSON.parse(readFileSync(path, 'utf8')))));

/** Every path under `dir` with its content ('/' for a folder). */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    const at = join(dir, rel);
    if (!statSync(at).isDirectory()) return void (out[rel] = readFileSync(at, 'utf8'));
    out[`${rel}/`] = '/';
    for (const f of readdirSync(at)) walk(join(rel, f));
  };
  walk('report');
  return out;
}

/**
 * Each [dir, message] is refused with one line matching the message and DIR/report left untouched:
 * the first through the command line (exit code 2), the rest in this process (a UsageError), which is faster.
 */
async function refused(cases: [string, RegExp][]): Promise<void> {
  for (const [i, [dir, message]] of cases.entries()) {
    const snap = snapshot(dir);
    if (i === 0) {
      const r = await report(dir);
      assert.equal(r.exitCode, 2, r.stderr);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, message);
    } else await assert.rejects(buildReport(dir), (e) => e instanceof UsageError && !e.message.includes('\n') && message.test(e.message));
    assert.deepEqual(snapshot(dir), snap, `${dir}: the earlier report changed`);
  }
}

test('results.csv with only its header, or empty: refused, the earlier report kept', async () => {
  await refused([
    [copy('header-only', (d) => writeFileSync(join(d, 'results.csv'), readFileSync(join(d, 'results.csv'), 'utf8').split('\n')[0] + '\n')), /header-only\/results\.csv holds no finished cell yet/],
    [copy('empty-csv', (d) => writeFileSync(join(d, 'results.csv'), '')), /empty-csv\/results\.csv holds no finished cell yet/],
  ]);
});

test('a partial last line (a run writing it, or one stopped mid-row) is left out with a note, as run --resume drops it', async () => {
  const dir = copy('torn-tail', (d) => {
    const lines = readFileSync(join(d, 'results.csv'), 'utf8').trimEnd().split('\n');
    writeFileSync(join(d, 'results.csv'), `${lines.slice(0, -1).join('\n')}\n${lines.at(-1)!.slice(0, 40)}`); // the last row cut: no line end
  });
  const csv = join(dir, 'results.csv');
  const left: number[] = [];
  assert.equal(readRows(csv, (bytes) => left.push(bytes)).length, readRows(join(SOURCE, 'results.csv')).length - 1);
  assert.deepEqual(left, [40]);
  assert.throws(() => readRows(csv), /malformed CSV/); // a reader that does not ask parses it all
  for (const r of [await report(dir), await execa(process.execPath, [bin, 'compare', SOURCE, dir], { reject: false })]) {
    assert.notEqual(r.exitCode, 2, r.stderr);
    assert.match(r.stderr.trim(), /^stde-bench: .*torn-tail\/results\.csv: left out a partial last line \(40 bytes; a run writing it, or one stopped mid-row, which run --resume drops\)$/);
  }
  assert.match(readFileSync(join(dir, 'report', 'index.html'), 'utf8'), /<html/);
});

test('results.csv without a column every reader needs: refused, naming the columns', async () => {
  const without = (columns: string[]) => (d: string) => {
    const [header, ...rows] = readFileSync(join(d, 'results.csv'), 'utf8').trimEnd().split('\n');
    const keep = header.split(',').map((c) => !columns.includes(c));
    const cut = (line: string) => line.split(',').filter((_, i) => keep[i]).join(','); // the fixture's first rows quote no comma before these columns
    writeFileSync(join(d, 'results.csv'), `${cut(header)}\n${cut(rows[0])}\n`);
  };
  await refused([
    [copy('no-dim', without(['dim'])), /no-dim\/results\.csv: not a stde-bench results CSV \(no 'dim' column\)/],
    [copy('no-speed', without(['it_per_s', 'backend'])), /no-speed\/results\.csv: not a stde-bench results CSV \(no 'backend', 'it_per_s' columns\)/],
  ]);
});

test('a samples file with a malformed evaluation, or without its step times or evaluations: refused, naming the file and the entry', async () => {
  const evals = (name: string, v: unknown) => copy(name, (d) => editJson(sample(d), (s) => ({ ...s, evals: v })));
  await refused([
    [evals('eval-null', [null]), /eval-null\/samples\/.+\.json: evals\[0\] is null, not an object/],
    [evals('eval-number', [{ step: 10, rel_l2: 0.1 }, 5]), /eval-number\/samples\/.+\.json: evals\[1\] is a number, not an object/],
    [evals('evals-object', { step: 1 }), /evals-object\/samples\/.+\.json: evals is an object, not an array/],
    [evals('eval-step', [{ step: '300', rel_l2: 0.1 }]), /eval-step\/samples\/.+\.json: evals\[0\]\.step is a string, not a number/],
    [evals('eval-rel-l2', [{ step: 300, rel_l2: { x: 1 } }]), /eval-rel-l2\/samples\/.+\.json: evals\[0\]\.rel_l2 is an object, not a number/],
    [copy('samples-null', (d) => writeFileSync(sample(d), 'null')), /samples-null\/samples\/.+\.json: expected a JSON object, got null/],
    [copy('samples-empty', (d) => writeFileSync(sample(d), '{}')), /samples-empty\/samples\/.+\.json: step_ms is absent, not an array/],
    [evals('evals-absent', undefined), /evals-absent\/samples\/.+\.json: evals is absent, not an array/],
    [copy('step-negative', (d) => editJson(sample(d), (s) => ({ ...s, step_ms: [5, -6] }))), /step-negative\/samples\/.+\.json: step_ms\[1\] is -6, a negative time/],
    [copy('other-cell', (d) => editJson(sample(d), (s) => ({ ...s, cell: 'other' }))), /other-cell\/samples\/.+\.json: holds the samples of cell 'other', not of /],
  ]);
});

test('run.json and machine.json of the wrong types: refused, naming the file and the field', async () => {
  const json = (name: string, file: string, text: string) => copy(name, (d) => writeFileSync(join(d, file), text));
  const run = (name: string, change: (v: Record<string, unknown>) => unknown) => copy(name, (d) => editJson(join(d, 'run.json'), change));
  await refused([
    [json('run-null', 'run.json', 'null'), /run-null\/run\.json: expected a JSON object, got null/],
    [json('run-array', 'run.json', '[]'), /run-array\/run\.json: expected a JSON object, got an array/],
    [json('machine-42', 'machine.json', '42'), /machine-42\/machine\.json: expected a JSON object, got a number/],
    [run('matrix-5', (v) => ({ ...v, matrix: 5 })), /matrix-5\/run\.json: matrix is a number, not an object/],
    [run('backend-object', (v) => ({ ...v, backend: { a: 1 } })), /backend-object\/run\.json: backend is an object, not a string/],
    [run('name-object', (v) => ({ ...v, matrix: { ...(v.matrix as object), name: { x: 1 } } })), /name-object\/run\.json: matrix\.name is an object, not a string/],
    [run('timeout-string', (v) => ({ ...v, timeoutS: '600' })), /timeout-string\/run\.json: timeoutS is a string, not a number/],
  ]);
});

test('fields that are absent or null, and a missing samples file, are still a report', async () => {
  const dir = copy('sparse', (d) => {
    editJson(join(d, 'run.json'), (v) => ({ ...v, matrix: { ...(v.matrix as object), table: null }, memoryMb: null }));
    editJson(sample(d), (s) => ({ ...s, evals: [{ step: 300, rel_l2: null, rel_l1: 0.01 }] }));
    rmSync(join(d, 'samples', readdirSync(join(d, 'samples'))[1]));
  });
  await buildReport(dir);
  const page = readFileSync(join(dir, 'report', 'index.html'), 'utf8');
  assert.doesNotMatch(page, /\[object Object\]/);
  // Still the run's report: every cell of its results.csv is listed.
  for (const r of readRows(join(dir, 'results.csv'))) assert.ok(page.includes(String(r.cell)), `${r.cell} missing`);
});

test('output paths that cannot be written: refused before anything is written', async () => {
  const chart = () => charts[charts.length - 1];
  await refused([
    [copy('report-file', (d) => (rmSync(join(d, 'report'), { recursive: true }), writeFileSync(join(d, 'report'), 'x'))), /cannot write the report: .*report-file\/report is a file, not a folder/],
    [copy('charts-file', (d) => (rmSync(join(d, 'report', 'charts'), { recursive: true }), writeFileSync(join(d, 'report', 'charts'), 'x'))), /cannot write the report: .*charts-file\/report\/charts is a file, not a folder/],
    [copy('index-folder', (d) => (rmSync(join(d, 'report', 'index.html')), mkdirSync(join(d, 'report', 'index.html')))), /cannot write the report: .*index-folder\/report\/index\.html is a folder, not a file/],
    [copy('png-folder', (d) => (rmSync(join(d, 'report', 'charts', chart())), mkdirSync(join(d, 'report', 'charts', chart())))), /cannot write the report: .*png-folder\/report\/charts\/.+\.png is a folder, not a file/],
  ]);
});

test('a write failing midway leaves the earlier report as it was, with no temporary file', async () => {
  // The page is written last: a folder where its temporary file goes fails the write after every chart's.
  const dir = copy('midway', (d) => mkdirSync(join(d, 'report', `index.html.${process.pid}.tmp`)));
  const snap = snapshot(dir);
  await assert.rejects(buildReport(dir), (e) => e instanceof UsageError && /cannot write the report/.test(e.message));
  assert.deepEqual(snapshot(dir), snap);
});

test('a file, a missing folder or an empty path given as DIR: said so', async () => {
  const [csv, missing, empty] = await Promise.all([report(join(base, 'results.csv')), report(join(root, 'nowhere')), report('')]);
  for (const r of [csv, missing, empty]) assert.equal(r.exitCode, 2, r.stderr);
  assert.equal(csv.stderr.trim(), `stde-bench: ${join(base, 'results.csv')} is a file: report takes the results folder that holds it (stde-bench report ${base})`);
  assert.equal(missing.stderr.trim(), `stde-bench: ${join(root, 'nowhere')}: no such folder (report takes the folder \`stde-bench run --out\` wrote)`);
  assert.equal(empty.stderr.trim(), 'stde-bench: no results folder given (an empty path): report takes the folder `stde-bench run --out` wrote');
});
