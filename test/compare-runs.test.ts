/**
 * `stde-bench compare` on a real run's samples: the run against itself, or against itself 5 % slower
 * (below the 1.1× factor), is not flagged; with a planted 2× slowdown (every per-step sample doubled)
 * it is, with exit code 1. The slowdowns are planted, not timed, so load on this shared machine cannot
 * decide the test (two live runs side by side once differed by 1.3× here).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { stringify } from 'csv-stringify/sync';
import { BIN } from '../benchmarks/runner/execute-cell.ts';
import { COLUMNS, readRows } from '../benchmarks/runner/csv-store.ts';
import { tempDir } from './temp-dirs.ts';

const stde = (...args: string[]) => execa(process.execPath, [BIN, ...args], { reject: false });

/** One small cell with ~1000 timed steps of a few ms: realistic, noisy samples. */
const RUN = ['run', '--pdes', 'allen-cahn-two-body', '--dims', '16', '--estimators', 'stde-sparse', '--R', '4',
  '--steps', '1000', '--width', '32', '--depth', '3', '--points', '32', '--eval-every', '1000', '--test-points', '64'];

function plantSlowdown(from: string, to: string, factor: number): void {
  cpSync(from, to, { recursive: true });
  for (const f of readdirSync(join(to, 'samples'))) {
    const p = join(to, 'samples', f);
    const s = JSON.parse(readFileSync(p, 'utf8'));
    s.step_ms = s.step_ms.map((v: number) => v * factor);
    writeFileSync(p, JSON.stringify(s));
  }
  const rows = readRows(join(to, 'results.csv')).map((r) => ({
    ...r,
    step_ms_median: (r.step_ms_median as number) * factor,
    it_per_s: (r.it_per_s as number) / factor,
  }));
  writeFileSync(join(to, 'results.csv'), stringify(rows, { header: true, columns: [...COLUMNS], record_delimiter: '\n' }));
}

test('compare: the same samples pass, a planted 5 % slowdown passes, a planted 2× slowdown is a regression', async () => {
  const dir = tempDir('compare-');
  const a = join(dir, 'a');
  const run = await stde(...RUN, '--out', a);
  assert.equal(run.exitCode, 0, String(run.stderr));
  for (const factor of [1, 1.05]) {
    const b = join(dir, `x${factor}`);
    plantSlowdown(a, b, factor);
    const same = await stde('compare', join(a, 'results.csv'), join(b, 'results.csv'));
    assert.equal(same.exitCode, 0, String(same.stdout));
    assert.doesNotMatch(String(same.stdout), /^regression/m);
    assert.match(String(same.stdout), /0 regressions/);
  }

  const b = join(dir, 'x1');
  const slow = join(dir, 'slow');
  plantSlowdown(a, slow, 2);
  const flagged = await stde('compare', join(a, 'results.csv'), join(slow, 'results.csv'));
  assert.equal(flagged.exitCode, 1, String(flagged.stdout));
  assert.match(String(flagged.stdout), /^regression\s.*allen-cahn-two-body_d16_stde-sparse/m);
  assert.match(String(flagged.stdout), /1 regression /);
  // The other way round it is an improvement, not a regression.
  const faster = await stde('compare', join(slow, 'results.csv'), join(a, 'results.csv'));
  assert.equal(faster.exitCode, 0);
  assert.match(String(faster.stdout), /^improvement/m);
  // A slowdown is flagged only past --factor.
  const lenient = await stde('compare', join(a, 'results.csv'), join(slow, 'results.csv'), '--factor', '3');
  assert.equal(lenient.exitCode, 0);
  // A results folder stands for its results.csv.
  const folders = await stde('compare', a, slow);
  assert.equal(folders.exitCode, 1, String(folders.stderr));
  assert.match(String(folders.stdout), /^regression\s.*allen-cahn-two-body_d16_stde-sparse/m);
  // Bad input: exit 2, one line.
  assert.equal((await stde('compare', join(a, 'results.csv'), join(dir, 'nope.csv'))).exitCode, 2);
  const empty = join(dir, 'empty');
  mkdirSync(empty);
  writeFileSync(join(empty, 'results.csv'), `${COLUMNS.join(',')}\n`);
  const none = await stde('compare', a, empty);
  assert.equal(none.exitCode, 2);
  assert.match(String(none.stderr).trim(), /^stde-bench: .*empty\/results\.csv holds no finished cell yet$/);
  assert.equal((await stde('compare', join(a, 'results.csv'), join(b, 'results.csv'), '--alpha', '2')).exitCode, 2);
});
