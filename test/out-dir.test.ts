/**
 * The folder a command writes into (cli/out-dir.ts): made with its missing parents; a file in the
 * way, or a place where no folder can be made (/proc), is a one-line usage error — before anything
 * runs, and without touching what is there.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { execa } from 'execa';
import { makeOutDir, stampedOutDir } from '../cli/out-dir.ts';
import { UsageError } from '../engine/errors.ts';
import { tempDir } from './temp-dirs.ts';

const usage = (pattern: RegExp) => (e: Error) => e instanceof UsageError && pattern.test(e.message) && !e.message.includes('\n');

test('makeOutDir makes the folder and its missing parents, and accepts one that exists', () => {
  const root = tempDir('out-dir-');
  const deep = join(root, 'a', 'b', 'c');
  makeOutDir(deep);
  assert.ok(statSync(deep).isDirectory());
  makeOutDir(deep); // again: nothing to do
});

test('makeOutDir refuses a file in the way, naming it', () => {
  const root = tempDir('out-dir-');
  const file = join(root, 'results.csv');
  writeFileSync(file, 'kept\n');
  assert.throws(() => makeOutDir(file), usage(/^--out .*results\.csv: .*results\.csv is a file, not a folder$/));
  assert.throws(() => makeOutDir(join(file, 'sub', 'deeper'), '--out x'), usage(/^--out x: .*results\.csv is a file, not a folder$/));
  assert.equal(readFileSync(file, 'utf8'), 'kept\n');
});

test('makeOutDir under /proc fails at once (a recursive mkdirSync never returns there), and so does /proc itself, a folder that takes no file', { skip: !existsSync('/proc/self') && 'no /proc' }, () => {
  assert.throws(() => makeOutDir('/proc/stde-bench-out/x'), usage(/cannot make the folder \/proc\/stde-bench-out \(ENOENT\)$/));
  assert.throws(() => makeOutDir('/proc'), usage(/^--out \/proc: cannot write in \/proc \(ENOENT\)$/));
  assert.throws(() => makeOutDir(''), usage(/an empty path names no folder$/));
});

test('run, targets and bench-operators with an --out that cannot be a folder: one line, exit 2, the file kept', async () => {
  const root = tempDir('out-dir-');
  const file = join(root, 'taken');
  writeFileSync(file, 'kept\n');
  const bin = join(import.meta.dirname, '..', 'bin', 'stde-bench.mjs');
  for (const args of [
    ['run', '--preset', 'quick', '--out', file],
    ['bench-operators', '--dims', '20', '--out', join(file, 'ops.csv')],
    ['targets', '--out', join(file, 't'), '--floor-dims', '100', '--speed-dims', '100', '--no-memory', '--steps', '5'],
  ]) {
    const r = await execa(process.execPath, [bin, ...args], { reject: false, timeout: 60_000 });
    assert.equal(r.exitCode, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(String(r.stderr).trim(), /^stde-bench: --out .*taken is a file, not a folder$/);
  }
  assert.equal(readFileSync(file, 'utf8'), 'kept\n');
});

test("every command's --out: '' (the current folder) and a folder that takes no file (/proc) are one line and exit 2; nothing is written", { skip: !existsSync('/proc/self') && 'no /proc' }, async () => {
  const cwd = tempDir('out-dir-cwd-');
  const bin = join(import.meta.dirname, '..', 'bin', 'stde-bench.mjs');
  const targets = ['--floor-dims', '100', '--speed-dims', '100', '--no-memory', '--steps', '5'];
  for (const [args, message] of [
    [['run', '--preset', 'quick', '--out', ''], /^stde-bench: --out must name a path, got ''$/],
    [['ab', '--base', 'HEAD', '--out', '', '--', '--preset', 'ci'], /^stde-bench: --out must name a path, got ''$/],
    [['targets', ...targets, '--out', ''], /^stde-bench: --out must name a path, got ''$/],
    [['bench-operators', '--dims', '20', '--out', ''], /^stde-bench: --out must name a path, got ''$/],
    [['bench-operators', '--dims', '20', '--out', '/proc/ops.csv'], /^stde-bench: --out \/proc\/ops\.csv: cannot write in \/proc \(ENOENT\)$/],
    [['targets', ...targets, '--out', '/proc'], /^stde-bench: --out \/proc: cannot write in \/proc \(ENOENT\)$/],
  ] as const) {
    const r = await execa(process.execPath, [bin, ...args], { reject: false, timeout: 60_000, cwd });
    assert.equal(r.exitCode, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(String(r.stderr).trim(), message, args.join(' '));
  }
  assert.deepEqual(readdirSync(cwd), []);
});

test('the default folder is one plain folder inside results/, whatever the matrix calls itself', () => {
  assert.match(stampedOutDir('paper-table-3'), /^results[/\\]paper-table-3-\d{8}-\d{6}$/);
  for (const name of ['../../evil', '/etc/x', 'a/../../b', '..', '.hidden', '', 'C:\\x']) {
    const rel = relative('results', stampedOutDir(name));
    assert.ok(!rel.includes(sep) && !rel.startsWith('.') && !rel.startsWith('-'), `${name} → ${rel}`);
  }
  assert.match(stampedOutDir('../../evil'), /^results[/\\]evil-\d{8}-\d{6}$/);
});
