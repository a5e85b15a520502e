/**
 * The offline report, from a real (tiny) run of Table 3 cells with one forced out-of-memory cell,
 * opened in Debian's headless Chromium (scripts/install-chromium.sh): it renders without console
 * errors or network requests, shows the expected charts, the paper's numbers beside ours, the OOM
 * cell as such, and the machine.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { execa } from 'execa';
import { chromium } from 'playwright-core';
import { BIN } from '../benchmarks/runner/execute-cell.ts';
import type { Matrix } from '../benchmarks/runner/matrix.ts';
import { tempDir } from './temp-dirs.ts';

const CHROMIUM = '/usr/bin/chromium';

test('report: renders offline in Chromium with the charts, the paper numbers and the OOM cell', async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: run scripts/install-chromium.sh`);
  const dir = tempDir('report-');
  // Table 3's network (w 128, L 4) at d = 100, so the paper's rows match ours; a few steps only.
  const cell = { pdes: ['allen-cahn-two-body'], dims: [100], seeds: [0], steps: 12, widths: [128], depths: [4], points: 100, evalEvery: 6, testPoints: 200 };
  const m: Matrix = {
    name: 'report-test',
    description: 'Table 3 cells for the report test',
    table: 'Table 3',
    groups: [
      { ...cell, estimators: ['stde-sparse', 'nested'], R: [16] },
      { ...cell, estimators: ['forward-laplacian'], R: [0], memoryMb: 40 },
    ],
  };
  writeFileSync(join(dir, 'm.json'), JSON.stringify(m));
  const out = join(dir, 'out');
  const run = await execa(process.execPath, [BIN, 'run', '--matrix', join(dir, 'm.json'), '--out', out], { reject: false });
  assert.equal(run.exitCode, 0, String(run.stderr));
  const rep = await execa(process.execPath, [BIN, 'report', out], { reject: false });
  assert.equal(rep.exitCode, 0, String(rep.stderr));
  const index = join(out, 'report', 'index.html');
  const html = readFileSync(index, 'utf8');
  assert.doesNotMatch(html, /<script|https?:\/\/(?!www\.w3\.org)/, 'self-contained: no script, no remote resource');
  const pngs = readdirSync(join(out, 'report', 'charts'));
  assert.ok(pngs.length >= 4 && pngs.every((f) => f.endsWith('.png')));
  assert.match(String(rep.stdout).trim(), new RegExp(`index\\.html \\(${pngs.length} charts\\)$`)); // the count it reports is the charts it wrote
  for (const f of pngs) assert.deepEqual([...readFileSync(join(out, 'report', 'charts', f)).subarray(1, 4)], [0x50, 0x4e, 0x47]);

  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  try {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (msg) => msg.type() === 'error' && problems.push(`console: ${msg.text()}`));
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(pathToFileURL(index).href, { waitUntil: 'load' });
    assert.deepEqual(problems, []);
    assert.deepEqual(requests, [pathToFileURL(index).href], 'the page loads nothing else');

    const charts = await page.$$eval('figure.chart', (figs) =>
      figs.map((f) => {
        const svg = f.querySelector('svg');
        const box = svg?.getBoundingClientRect();
        return { kind: f.getAttribute('data-chart'), w: box?.width ?? 0, h: box?.height ?? 0, marks: svg?.querySelectorAll('path, rect, text').length ?? 0 };
      }),
    );
    const kinds = charts.map((c) => c.kind);
    for (const k of ['speed-scaling', 'memory-scaling', 'speedup', 'error-steps']) assert.ok(kinds.includes(k), `chart ${k} in ${kinds}`);
    for (const c of charts) assert.ok(c.w > 200 && c.h > 150 && c.marks > 10, `chart ${c.kind} rendered: ${JSON.stringify(c)}`);

    const text = await page.innerText('body');
    // The paper's Table 3 numbers, as printed: STDE R = 16 at 100 D (1833.78 it/s, 457 MB, 1.89E-02 ± 2.37E-04).
    const stdeRow = await page.$$eval('table.metrics tr', (trs) => trs.map((t) => (t as HTMLElement).innerText).find((t) => /^100\tstde-sparse R=16/.test(t)) ?? '');
    assert.match(stdeRow, /1833\.78/);
    assert.match(stdeRow, /1\.89E-02 ± 2\.37E-04/);
    // Speed only as speed-ups over nested, ours / the paper's (1833.78 / 40.63 it/s, its nested at R = 100); errors as ours ÷ paper.
    assert.match(stdeRow, /\d×? \/ 45\.1×/, 'speed-up over nested, ours / paper');
    assert.match(stdeRow, /E-0\d ± [\d.]+E-0\d\t[\d.e+]+× \(12 steps; the paper 10000\)/, 'error ratio ours ÷ paper, after 12 steps against the paper preset\'s 10,000');
    const head = await page.$eval('table.metrics tr', (t) => (t as HTMLElement).innerText);
    const cols = head.split('\t').map((h) => h.trim());
    const after = (h: string) => cols.slice(cols.indexOf(h) + 1, cols.indexOf(h) + 3);
    assert.deepEqual(after('it/s'), ['paper', '× nested: ours / paper'], head);
    assert.deepEqual(after('tensor peak MB'), ['paper', 'RSS peak MB'], 'memory has no ratio to the paper');
    assert.deepEqual(after('rel L2 best'), ['paper', 'ours ÷ paper'], head);
    const paper = await page.innerText('#paper');
    for (const v of ['1376.84', '6295', '3.99E-03', 'Forward Laplacian [23] (`folx`)']) assert.ok(paper.includes(v), `paper section shows ${v}`);
    // The forced out-of-memory cell is shown as such, in the table and on the scaling charts.
    const flRow = await page.$$eval('table.metrics tr', (trs) => trs.map((t) => (t as HTMLElement).innerText).find((t) => /^100\tforward-laplacian/.test(t)) ?? '');
    assert.match(flRow, /OOM/);
    assert.ok(await page.$eval('figure[data-chart="speed-scaling"] svg', (s) => s.textContent?.includes('OOM')));
    // Speed-up over nested, and the machine.
    assert.match(text, /speed-up over nested/i);
    const machine = await page.innerText('#machine');
    assert.match(machine, /tfjs-backend-wasm/);
    assert.match(machine, /cpu/);
  } finally {
    await browser.close();
  }
});
