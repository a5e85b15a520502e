/**
 * The command runs from a cached one-file build of its sources (bin/cli-build.mjs), rebuilt when a
 * source changes; STDE_BENCH_TSX=1 runs the sources through tsx instead, with the same result.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { cachedCli, ROOT } from '../bin/cli-build.mjs';
import pkg from '../package.json' with { type: 'json' };

const BIN = join(ROOT, 'bin', 'stde-bench.mjs');

test('the cached build is reused while the sources stand still and rebuilt when one changes', async () => {
  const first = await cachedCli();
  assert.equal(await cachedCli(), first);
  const source = join(ROOT, 'engine', 'errors.ts');
  const { atimeMs, mtimeMs } = statSync(source);
  try {
    utimesSync(source, atimeMs / 1000, mtimeMs / 1000 + 2);
    const rebuilt = await cachedCli();
    assert.notEqual(rebuilt, first);
    assert.ok(existsSync(rebuilt));
  } finally {
    utimesSync(source, atimeMs / 1000, mtimeMs / 1000);
  }
  assert.equal(await cachedCli(), first);
  // Both rewrites took: the command table replaces the folder scan, and no project file's import.meta.url is the build's own.
  const text = readFileSync(first, 'utf8');
  assert.match(text, /"train\.ts": \(\) => Promise\.resolve\(\)/);
  assert.doesNotMatch(text, /readdirSync\(dir\)/);
});

test('the command gives the same output from the build and through tsx', async () => {
  for (const env of [{}, { STDE_BENCH_TSX: '1' }]) {
    const version = await execa('node', [BIN, '--version'], { env, reject: false });
    assert.equal(version.stdout.trim(), pkg.version, JSON.stringify(env));
    const list = await execa('node', [BIN, 'list', '--json'], { env, reject: false });
    assert.equal(list.exitCode, 0, list.stderr);
    const listed = JSON.parse(list.stdout) as { pdes: unknown[]; estimators: unknown[] };
    assert.ok(listed.pdes.length > 10 && listed.estimators.length > 5, JSON.stringify(env));
    const bad = await execa('node', [BIN, 'train', '--pde', 'no-such-pde', '--dim', '5'], { env, reject: false });
    assert.equal(bad.exitCode, 2);
    assert.match(bad.stderr, /^stde-bench: unknown PDE 'no-such-pde'[^\n]*$/);
  }
});
