/**
 * The README's tables of committed measurements say what `results/` holds: every number printed there
 * is a value of the folder's CSV (to the digits printed), every OOM or TIMEOUT a row's status, every
 * paper number in brackets a row of the paper's reference CSV, and the commit named for a run the one
 * its machine.json or bundle.json records. A refreshed results folder fails this until the README
 * says what it holds; a retyped number fails it at once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { readme, tableAfter } from './readme.ts';

type Row = Record<string, string>;
/** A path of the repository (the tests may run from anywhere). */
const root = (path: string) => join(import.meta.dirname, '..', path);
const csv = (path: string): Row[] => parse(readFileSync(root(path), 'utf8'), { columns: true }) as Row[];
const json = (path: string) => JSON.parse(readFileSync(root(path), 'utf8'));

const SUPERSCRIPT: Record<string, string> = { '⁰': '0', '¹': '1', '²': '2', '³': '3', '⁴': '4', '⁵': '5', '⁶': '6', '⁷': '7', '⁸': '8', '⁹': '9' };
/** "100" → 100, "10⁴" → 10000, "5·10⁶" → 5000000. */
function power(text: string): number {
  if (/^\d+$/.test(text.trim())) return Number(text);
  const m = /^(?:(\d+)·)?10([⁰¹²³⁴⁵⁶⁷⁸⁹]+)$/.exec(text.trim());
  assert.ok(m, `not a power of ten: "${text}"`);
  const exponent = Number([...m[2]].map((c) => SUPERSCRIPT[c]).join(''));
  return Number(m[1] ?? 1) * 10 ** exponent;
}

/** A printed number stands for a value when they agree to the digits printed (half a unit of the last one). */
function agrees(printed: string, value: number): boolean {
  const decimals = printed.split('.')[1]?.length ?? 0;
  return Math.abs(Number(printed) - value) <= 0.5 * 10 ** -decimals * (1 + 1e-9);
}
/** The README says `pattern` (a run's commit, in its words); the message does not print the README. */
const assertNames = (pattern: string) => assert.ok(new RegExp(pattern).test(readme), `README does not say /${pattern}/`);
const NUMBER = /\d+(?:\.\d+)?/g;
const numbersIn = (text: string): number[] => (text.match(NUMBER) ?? []).map(Number);

/** Table 3's reference values for one method, R and d (several where the paper lists two implementations). */
function paperTable3(estimator: string, R: number, dim: number): Row[] {
  return csv('results/reference/paper-results.csv').filter(
    (r) => r.table === 'Table 3' && r.metric === 'it_per_s' && r.estimator === estimator && Number(r.R) === R && Number(r.dim) === dim,
  );
}
function assertPaper(printed: string, rows: Row[], where: string) {
  assert.ok(rows.length, `${where}: no paper row`);
  if (printed === 'OOM') assert.ok(rows.some((r) => r.status === 'oom'), `${where}: the paper has no OOM here`);
  else assert.ok(rows.some((r) => r.value !== '' && agrees(printed, Number(r.value))), `${where}: the paper has no ${printed} (${rows.map((r) => r.value || r.status)})`);
}

test('README: Table 3 measured here (wasm) is results/table3-wasm-speed', () => {
  const folder = 'results/table3-wasm-speed';
  const rows = csv(`${folder}/results.csv`);
  const [header, , ...body] = tableAfter('**Table 3 measured here (wasm).**');
  const dims = header.slice(1).map((h) => power(h.replace('d = ', '')));
  assert.deepEqual(dims, [1e2, 1e3, 1e4, 1e5, 1e6]);
  assert.equal(body.length, 8);
  for (const [method, ...cells] of body) {
    const estimator = /`([^`]+)`/.exec(method)![1];
    const R = Number(/R = (\d+)/.exec(method)?.[1] ?? 0);
    cells.forEach((cell, i) => {
      const where = `${estimator} R=${R} d=${dims[i]}`;
      const m = /^(\S+?)[¹²³]? \((\S+)\)[¹²³]?$/.exec(cell);
      assert.ok(m, `${where}: cell "${cell}"`);
      const [, ours, paper] = m;
      const row = rows.find((r) => r.estimator === estimator && Number(r.R) === R && Number(r.dim) === dims[i]);
      assert.ok(row, `${where}: no row in ${folder}`);
      if (ours === 'OOM') assert.equal(row.status, 'oom', where);
      else if (ours === 'TIMEOUT') assert.deepEqual([row.status, row.it_per_s], ['timeout', ''], where);
      else assert.ok(row.it_per_s !== '' && agrees(ours, Number(row.it_per_s)), `${where}: README ${ours}, CSV ${row.it_per_s || row.status}`);
      assertPaper(paper, paperTable3(estimator, R, dims[i]), where);
    });
  }
  // Every cell of the run is in the table.
  assert.equal(rows.length, body.length * dims.length);
  assertNames(`The\\s+run was at commit ${json(`${folder}/machine.json`).git.commit.slice(0, 7)}\\.`);
});

test('README: the H100 run is results/table3-webgpu-h100', () => {
  const folder = 'results/table3-webgpu-h100';
  const rows = csv(`${folder}/results.csv`);
  const [header, , ...body] = tableAfter('**Run on an H100**');
  const dims = header.slice(1).map(power);
  for (const [label, ...cells] of body) {
    const R = Number(/^R = (\d+)$/.exec(label)![1]);
    cells.forEach((cell, i) => {
      const where = `R=${R} d=${dims[i]}`;
      const [itPerS, ms] = /^(\S+) \((\S+) ms\)$/.exec(cell)!.slice(1);
      const row = rows.find((r) => Number(r.R) === R && Number(r.dim) === dims[i]);
      assert.ok(row, `${where}: no row in ${folder}`);
      assert.ok(agrees(itPerS, Number(row.it_per_s)) && agrees(ms, Number(row.step_ms_median)), `${where}: README ${cell}, CSV ${row.it_per_s} (${row.step_ms_median} ms)`);
    });
  }
  assert.equal(rows.length, body.length * dims.length);
  assertNames(`bundle ${json(`${folder}/bundle.json`).commit.slice(0, 7)},`);
});

test('README: the scale-and-speed targets table is results/targets', () => {
  const folder = 'results/targets';
  const rows = csv(`${folder}/targets.csv`);
  const gpu = csv('results/table3-webgpu-h100/results.csv');
  const [, , ...body] = tableAfter('Measured here (`results/targets/`');
  assertNames(`Measured here \\(\`results/targets/\`, one run at commit ${json(`${folder}/machine.json`).git.commit.slice(0, 7)},`);
  for (const [target, measured, threshold, verdict] of body) {
    const kind = target.split(/[ ,:]/)[0];
    const dims = (/d = ([^,|]+)/.exec(target)?.[1] ?? '').split('/').map(power);
    let selected: Row[];
    let pool: number[];
    if (kind === 'GPU') {
      // Table 3's largest cell on the H100, against the paper's A100.
      const cell = gpu.find((r) => Number(r.dim) === dims[0] && Number(r.R) === Number(/R = (\d+)/.exec(target)![1]))!;
      pool = [Number(cell.it_per_s), Number(cell.step_ms_median)];
      assertPaper(/^(\S+) it\/s/.exec(threshold)![1], paperTable3('stde-sparse', Number(cell.R), Number(cell.dim)), target);
      selected = [];
    } else {
      const block = kind === 'memory' ? Number(/B = (\d+)/.exec(target)?.[1] ?? 1) : null;
      selected = rows.filter((r) => {
        const config = Object.fromEntries(r.config.split(' ').map((kv) => kv.split('=')));
        return r.target.split(' ')[0] === kind && dims.includes(Number(config.d)) && (block === null || Number(config.B) === block);
      });
      assert.ok(selected.length, `${target}: no row in ${folder}`);
      pool = selected.flatMap((r) => [Number(r.value), ...numbersIn(r.detail)]);
      // the threshold's numbers, and whether it was met
      const thresholds = selected.flatMap((r) => numbersIn(r.threshold));
      for (const t of threshold.match(NUMBER) ?? []) assert.ok(thresholds.some((v) => agrees(t, v)), `${target}: threshold ${t}`);
      if (verdict === 'met') assert.ok(selected.every((r) => r.met === 'true'), `${target}: README says met`);
      else if (/not met/.test(verdict)) assert.ok(selected.some((r) => r.met === 'false'), `${target}: README says not met`);
      else assert.ok(selected.every((r) => r.met === 'n/a'), `${target}: README gives no verdict`);
    }
    // Every measured number, except the run's set-up (rounds, seeds, steps, micro-batches of points);
    // seconds per step stand for the CSV's milliseconds.
    for (const m of measured.matchAll(/(seed )?(\d+(?:\.\d+)?)( s(?:\/step| per step)| rounds| steps| micro-batches| points)?/g)) {
      const [, seed, printed, unit] = m;
      const seconds = unit === ' s/step' || unit === ' s per step';
      if (seed || (unit && !seconds)) continue;
      const scale = seconds ? 1000 : 1;
      assert.ok(pool.some((v) => agrees(printed, v / scale)), `${target}: README ${printed}${unit ?? ''} is no value of its row (${pool.join(', ')})`);
    }
  }
});
