/**
 * The command runs from a cached one-file build of its sources (bin/cli-build.mjs), rebuilt when a
 * source changes; STDE_BENCH_TSX=1 runs the sources through tsx instead, with the same result.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { cachedCli, ROOT, SOURCE_DIRS } from '../bin/cli-build.mjs';
import pkg from '../package.json' with { type: 'json' };

const BIN = join(ROOT, 'bin', 'stde-bench.mjs');

test('the cached build is reused while the sources stand still and rebuilt when one changes', async (t) => {
  // A copy of the sources (node_modules linked), so that the real tree's files keep their times.
  const root = mkdtempSync(join(tmpdir(), 'cli-build-'));
  const builds = new Set<string>();
  t.after(() => {
    for (const f of builds) rmSync(f, { force: true });
    rmSync(root, { recursive: true, force: true });
  });
  for (const dir of SOURCE_DIRS) cpSync(join(ROOT, dir), join(root, dir), { recursive: true, preserveTimestamps: true });
  for (const file of ['package.json', 'tsconfig.json']) cpSync(join(ROOT, file), join(root, file), { preserveTimestamps: true });
  symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules'), 'dir');
  const first = await cachedCli(root);
  builds.add(first);
  assert.equal(await cachedCli(root), first);
  const source = join(root, 'engine', 'errors.ts');
  const { atimeMs, mtimeMs } = statSync(source);
  utimesSync(source, atimeMs / 1000, mtimeMs / 1000 + 2);
  const rebuilt = await cachedCli(root);
  builds.add(rebuilt);
  assert.notEqual(rebuilt, first);
  assert.ok(existsSync(rebuilt));
  utimesSync(source, atimeMs / 1000, mtimeMs / 1000);
  assert.equal(await cachedCli(root), first);
  // Both rewrites took: the command table replaces the folder scan, and no import.meta is left to name
  // the build's own path but the banner's, which gives bundled CommonJS its require and __filename.
  const text = readFileSync(first, 'utf8');
  assert.match(text, /"train\.ts": \(\) => Promise\.resolve\(\)/);
  assert.doesNotMatch(text, /readdirSync\(dir\)/);
  const banner = text.split('\n').slice(0, 6).join('\n');
  assert.equal(text.split('import.meta').length - 1, 2);
  assert.equal(banner.split('import.meta').length - 1, 2);
  // tfjs is in the build (its packages are not resolved from node_modules at start); native code is not.
  assert.doesNotMatch(text, /from "@tensorflow\/tfjs(-core|-backend-wasm)?"/);
  assert.match(text, /from "@resvg\/resvg-js"/);
  // The copy's build runs as the command, from the copy.
  const version = await execa('node', [first, '--version'], { reject: false });
  assert.equal(version.stdout.trim(), pkg.version, version.stderr);
});

test('with tfjs-node installed, the build leaves the packages in node_modules (tfjs-node registers with their tfjs)', async (t) => {
  // A root whose node_modules links the real packages and adds a stand-in @tensorflow/tfjs-node.
  const root = mkdtempSync(join(tmpdir(), 'cli-build-node-'));
  const builds = new Set<string>();
  t.after(() => {
    for (const f of builds) rmSync(f, { force: true });
    rmSync(root, { recursive: true, force: true });
  });
  for (const dir of SOURCE_DIRS) cpSync(join(ROOT, dir), join(root, dir), { recursive: true, preserveTimestamps: true });
  for (const file of ['package.json', 'tsconfig.json']) cpSync(join(ROOT, file), join(root, file), { preserveTimestamps: true });
  const nm = join(ROOT, 'node_modules');
  mkdirSync(join(root, 'node_modules', '@tensorflow'), { recursive: true });
  for (const e of readdirSync(nm)) if (e !== '@tensorflow' && e !== '.cache') symlinkSync(join(nm, e), join(root, 'node_modules', e), 'dir');
  for (const e of readdirSync(join(nm, '@tensorflow'))) symlinkSync(join(nm, '@tensorflow', e), join(root, 'node_modules', '@tensorflow', e), 'dir');
  const bundled = await cachedCli(root);
  builds.add(bundled);
  const fake = join(root, 'node_modules', '@tensorflow', 'tfjs-node');
  mkdirSync(fake);
  writeFileSync(join(fake, 'package.json'), JSON.stringify({ name: '@tensorflow/tfjs-node', version: '0.0.0', main: 'index.js' }));
  writeFileSync(join(fake, 'index.js'), 'module.exports = {};\n');
  const external = await cachedCli(root);
  builds.add(external);
  assert.notEqual(external, bundled);
  assert.match(readFileSync(external, 'utf8'), /from "@tensorflow\/tfjs"/);
  assert.doesNotMatch(readFileSync(bundled, 'utf8'), /from "@tensorflow\/tfjs"/);
  const version = await execa('node', [external, '--version'], { reject: false });
  assert.equal(version.stdout.trim(), pkg.version, version.stderr);
});

test('the command gives the same output from the build and through tsx', async () => {
  const outputs: Record<string, unknown>[] = [];
  for (const env of [{}, { STDE_BENCH_TSX: '1' }]) {
    const version = await execa('node', [BIN, '--version'], { env, reject: false });
    assert.equal(version.stdout.trim(), pkg.version, JSON.stringify(env));
    const list = await execa('node', [BIN, 'list', '--json'], { env, reject: false });
    assert.equal(list.exitCode, 0, list.stderr);
    const bad = await execa('node', [BIN, 'train', '--pde', 'no-such-pde', '--dim', '5'], { env, reject: false });
    assert.equal(bad.exitCode, 2);
    assert.match(bad.stderr, /^stde-bench: unknown PDE 'no-such-pde'[^\n]*$/);
    // A backend starts: the build finds tfjs-backend-wasm's .wasm files, and computes what tsx does.
    const train = await execa('node', [BIN, 'train', '--pde', 'poisson-two-body', '--dim', '5', '--steps', '2', '--width', '8', '--depth', '2', '--json'], { env, reject: false });
    assert.equal(train.exitCode, 0, train.stderr);
    const record = JSON.parse(train.stdout);
    assert.equal(record.backend, 'wasm');
    outputs.push({ list: JSON.parse(list.stdout), bad: bad.stderr, loss: record.loss_final, status: record.status });
  }
  assert.deepEqual(outputs[0], outputs[1]);
});
