/**
 * The command runs from a cached one-file build of its sources (bin/cli-build.mjs), rebuilt when a
 * source changes; STDE_BENCH_TSX=1 runs the sources through tsx instead, with the same result.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { cachedCli, ROOT, SOURCE_DIRS, tfjsNodeInstalled } from '../bin/cli-build.mjs';
import pkg from '../package.json' with { type: 'json' };
import { tempDir } from './temp-dirs.ts';

const BIN = join(ROOT, 'bin', 'stde-bench.mjs');

/**
 * A copy of the sources in a temporary root (so that the real tree's files keep their times), removed
 * after the test with the builds it registers. `linkPackages` puts node_modules there.
 */
function copyOfSources(t: TestContext, linkPackages: (nodeModules: string) => void): { root: string; builds: Set<string> } {
  const root = tempDir('cli-build-');
  const builds = new Set<string>();
  t.after(() => {
    for (const f of builds) rmSync(f, { force: true });
    rmSync(root, { recursive: true, force: true });
  });
  for (const dir of SOURCE_DIRS) cpSync(join(ROOT, dir), join(root, dir), { recursive: true, preserveTimestamps: true });
  for (const file of ['package.json', 'tsconfig.json']) cpSync(join(ROOT, file), join(root, file), { preserveTimestamps: true });
  linkPackages(join(root, 'node_modules'));
  return { root, builds };
}

/** With tfjs-node installed here, every build leaves the packages in node_modules: the tests of the bundled build do not apply. */
const skip = tfjsNodeInstalled() && 'tfjs-node is installed in this checkout';

test('the cached build is reused while the sources stand still and rebuilt when one changes', { skip }, async (t) => {
  const { root, builds } = copyOfSources(t, (nm) => symlinkSync(join(ROOT, 'node_modules'), nm, 'dir'));
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

test('a new install, or tfjs-node installed, makes a new build; with tfjs-node it leaves the packages in node_modules (tfjs-node registers with their tfjs)', { skip }, async (t) => {
  // node_modules links the real packages (the cache's builds go in the copy's .cache) and then gets a stand-in @tensorflow/tfjs-node.
  const { root, builds } = copyOfSources(t, (nm) => {
    const real = join(ROOT, 'node_modules');
    mkdirSync(join(nm, '@tensorflow'), { recursive: true });
    for (const e of readdirSync(real)) if (e !== '@tensorflow' && e !== '.cache') symlinkSync(join(real, e), join(nm, e), 'dir');
    for (const e of readdirSync(join(real, '@tensorflow'))) symlinkSync(join(real, '@tensorflow', e), join(nm, '@tensorflow', e), 'dir');
  });
  const first = await cachedCli(root);
  builds.add(first);
  // npm rewrites node_modules/.package-lock.json on every install (--no-save ones too): a new build.
  const installed = join(root, 'node_modules', '.package-lock.json');
  const text = readFileSync(installed, 'utf8');
  rmSync(installed);
  writeFileSync(installed, `${text}\n`);
  const bundled = await cachedCli(root);
  builds.add(bundled);
  assert.notEqual(bundled, first);
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
