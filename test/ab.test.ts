/**
 * `stde-bench ab`: rounds of a run selection from two versions, pooled per side and compared. The
 * pooling is checked on made-up rounds; the command end to end from this checkout against its own
 * HEAD at toy sizes (a git checkout is needed); bad input is one line and exit 2, writing nothing.
 * (Verdicts depend on timing and are not asserted.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { execa } from 'execa';
import { poolRounds } from '../benchmarks/compare/pool-rounds.ts';
import { appendRow, COLUMNS, readRows, type Row } from '../benchmarks/runner/csv-store.ts';
import { tempDir } from './temp-dirs.ts';

const root = join(import.meta.dirname, '..');
const bin = join(root, 'bin', 'stde-bench.mjs');
const inGit = (() => {
  try {
    return execFileSync('git', ['rev-parse', '--is-inside-work-tree'], { cwd: root, encoding: 'utf8' }).trim() === 'true';
  } catch {
    return false;
  }
})();

/** Outside a git checkout ab cannot run; on CI (.ci/run clones the repository) that is a failure, not a skip. */
const noCheckout = !inGit && !process.env.CI && 'not a git checkout';

const row = (cell: string, status: string, median: number, stepsDone: number | null = null): Row => {
  const r = Object.fromEntries(COLUMNS.map((c) => [c, null])) as Row;
  return { ...r, cell, status, pde: 'p', dim: 10, step_ms_median: median, timing: 't', steps_done: stepsDone };
};

test('pooling rounds: samples concatenated and their statistics retaken; a round that failed gives its row', () => {
  const dir = tempDir('pool-');
  const rounds = [1, 2].map((k) => join(dir, `round-${k}`));
  const samples: Record<string, number[][]> = { c1: [[1, 2, 3], [4, 5, 6]], c2: [[7, 8], [9]], c3: [[10, 30], [20]] };
  rounds.forEach((r, k) => {
    mkdirSync(join(r, 'samples'), { recursive: true });
    appendRow(join(r, 'results.csv'), row('c1', 'ok', k + 1));
    appendRow(join(r, 'results.csv'), row('c2', k === 0 ? 'ok' : 'oom', 8));
    // Stopped at its time limit in the second round, with its steps timed.
    appendRow(join(r, 'results.csv'), row('c3', k === 0 ? 'ok' : 'timeout', 20, 2));
    for (const cell of ['c1', 'c2', 'c3']) writeFileSync(join(r, 'samples', `${cell}.json`), JSON.stringify({ step_ms: samples[cell][k], evals: [] }));
  });
  assert.equal(poolRounds(rounds, join(dir, 'pooled')), 3);
  const [c1, c2, c3] = readRows(join(dir, 'pooled', 'results.csv'));
  assert.deepEqual([c1.cell, c1.status, c1.step_ms_median, c1.timed_steps], ['c1', 'ok', 3.5, 6]);
  assert.deepEqual(JSON.parse(readFileSync(join(dir, 'pooled', 'samples', 'c1.json'), 'utf8')).step_ms, [1, 2, 3, 4, 5, 6]);
  assert.equal(c2.status, 'oom', 'the failed round decides');
  assert.ok(!existsSync(join(dir, 'pooled', 'samples', 'c2.json')));
  assert.deepEqual([c3.status, c3.step_ms_median, c3.timed_steps], ['timeout', 20, 3], 'a timed-out round decides the status and keeps its samples');
  assert.throws(() => poolRounds(rounds, join(dir, 'pooled')), /already holds results\.csv/);
});

test('pooling a round with a malformed samples file: a one-line usage error naming the file, nothing pooled', () => {
  const dir = tempDir('pool-bad-');
  for (const [name, text, message] of [
    ['torn', '{"step_ms": [1, 2', /round-2\/samples\/c2\.json: malformed JSON/],
    ['string-step', JSON.stringify({ step_ms: [1, '2'], evals: [] }), /round-2\/samples\/c2\.json: step_ms\[1\] is a string, not a finite number$/],
    ['step-ms-object', JSON.stringify({ step_ms: { a: 1 } }), /round-2\/samples\/c2\.json: step_ms is an object, not an array$/],
  ] as const) {
    const rounds = [1, 2].map((k) => join(dir, name, `round-${k}`));
    rounds.forEach((r, k) => {
      mkdirSync(join(r, 'samples'), { recursive: true });
      for (const cell of ['c1', 'c2']) {
        appendRow(join(r, 'results.csv'), row(cell, 'ok', 2));
        writeFileSync(join(r, 'samples', `${cell}.json`), k === 1 && cell === 'c2' ? text : JSON.stringify({ step_ms: [1, 2, 3], evals: [] }));
      }
    });
    const out = join(dir, name, 'pooled');
    assert.throws(() => poolRounds(rounds, out), (e: Error) => e.name === 'UsageError' && !e.message.includes('\n') && message.test(e.message), name);
    assert.ok(!existsSync(out), `${name}: a half-pooled folder was left`);
  }
});

test('ab against this checkout\'s HEAD: both sides in alternating rounds, pooled, compared; the worktree removed', { skip: noCheckout }, async () => {
  const out = join(tempDir('ab-'), 'out');
  const toy = ['--pdes', 'allen-cahn-two-body', '--dims', '10', '--estimators', 'stde-sparse', '--R', '4', '--steps', '20', '--test-points', '0', '--width', '8'];
  const r = await execa(process.execPath, [bin, 'ab', '--base', 'HEAD', '--rounds', '2', '--out', out, '--', ...toy], { reject: false });
  assert.ok(r.exitCode === 0 || r.exitCode === 1, r.stderr); // 1 only if timing called it a regression
  assert.deepEqual(String(r.stderr).match(/round \d\/2, \w+/g), ['round 1/2, base', 'round 1/2, head', 'round 2/2, head', 'round 2/2, base']);
  const ab = JSON.parse(readFileSync(join(out, 'ab.json'), 'utf8'));
  assert.equal(ab.base, execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim());
  assert.deepEqual(ab.selection, toy);
  for (const side of ['base', 'head']) {
    const cell = String(readRows(join(out, side, 'pooled', 'results.csv'))[0].cell);
    const perRound = [1, 2].map((k) => JSON.parse(readFileSync(join(out, side, `round-${k}`, 'samples', `${cell}.json`), 'utf8')).step_ms.length);
    assert.equal(JSON.parse(readFileSync(join(out, side, 'pooled', 'samples', `${cell}.json`), 'utf8')).step_ms.length, perRound[0] + perRound[1]);
    assert.match(readFileSync(join(out, 'compare.txt'), 'utf8'), new RegExp(cell));
  }
  assert.doesNotMatch(execFileSync('git', ['worktree', 'list'], { cwd: root, encoding: 'utf8' }), /stde-ab-/);
});

test('ab: bad input is one line and exit 2, and writes nothing', { skip: noCheckout }, async () => {
  const out = join(tempDir('ab-'), 'out');
  for (const [args, message] of [
    [['--base', 'no-such-rev', '--', '--preset', 'quick'], /--base\/--head no-such-rev: not a commit/],
    [['--base', 'HEAD', '--', '--preset', 'nope'], /the selection: unknown preset 'nope'/],
    [['--base', 'HEAD', '--', '--preset', 'quick', '--out', 'x'], /without --out or --resume/],
    [['--base', 'HEAD', '--', '--preset', 'quick', '--dry-run'], /ab runs the selection: give it without --dry-run$/],
    [['--base', 'HEAD', '--rounds', '0', '--', '--preset', 'quick'], /--rounds must be ≥ 1/],
  ] as const) {
    const r = await execa(process.execPath, [bin, 'ab', '--out', out, ...args], { reject: false });
    assert.equal(r.exitCode, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(String(r.stderr).trim().split('\n').length, 1, r.stderr);
    assert.match(String(r.stderr), message);
  }
  assert.ok(!existsSync(out));
  // A folder holding an earlier A/B run's rounds (even without its ab.json) is kept as it was.
  mkdirSync(join(out, 'base', 'round-1'), { recursive: true });
  const r = await execa(process.execPath, [bin, 'ab', '--out', out, '--base', 'HEAD', '--', '--preset', 'quick'], { reject: false });
  assert.equal(r.exitCode, 2, r.stderr);
  assert.match(String(r.stderr).trim(), /^stde-bench: --out .* already exists and is not an empty folder \(an earlier A\/B run is kept\); choose another --out$/);
  assert.deepEqual(readdirSync(out), ['base']);
});

test('ab in a copy of the project that is not a git checkout: one line saying so, exit 2', async () => {
  const copy = tempDir('ab-nogit-');
  const skip = new Set(['.git', 'node_modules', 'results', 'dist', '.scratch']);
  cpSync(root, copy, { recursive: true, filter: (src) => !skip.has(basename(src)) || dirname(src) !== root });
  symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'), 'dir');
  const r = await execa(process.execPath, [join(copy, 'bin', 'stde-bench.mjs'), 'ab', '--base', 'HEAD', '--out', join(copy, 'out'), '--', '--preset', 'ci'], { reject: false, cwd: copy });
  assert.equal(r.exitCode, 2, r.stderr);
  assert.match(String(r.stderr).trim(), /^stde-bench: ab needs a git checkout of stde-bench, and .* is not one/);
});
