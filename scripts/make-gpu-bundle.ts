/**
 * Builds a self-contained bundle for a GPU machine that has nothing but NVIDIA's driver (with its
 * Vulkan ICD): a Node binary, the whole CLI compiled into one ESM file, the tfjs WASM files, the
 * `webgpu` native module (Dawn), and scripts that run the Table 3 STDE cells on `--backend webgpu`.
 *
 *   node --import tsx scripts/make-gpu-bundle.ts [--out dist/gpu-bundle] [--tar] [--smoke]
 *
 * --tar    also writes <out>.tar.gz
 * --smoke  runs the bundle afterwards: list; check.sh as is, with every shipped library forced, and
 *          with a driver manifest whose library is missing (it must fail and name it); a 2-step train
 *          on webgpu; run-table3.sh on one small cell, and stopped by a failed check; diagnose.sh on
 *          a tiny cell
 *
 * Layout of <out> (the launchers are the files of scripts/gpu-bundle/, copied):
 *   node                 the Node binary that built it (process.execPath)
 *   env.sh               sourced by each launcher: adds lib/<soname>/ for each library the host lacks
 *   stde-bench           launcher: ./stde-bench <command> …
 *   check.sh             prints the WebGPU adapter and evaluates one estimator on webgpu and wasm;
 *                        without an adapter, says which library each Vulkan driver failed to load
 *   begin-results.sh     what run-table3.sh and diagnose.sh write first: bundle.json, nvidia-smi.txt, check.txt
 *   run-table3.sh        Table 3 STDE cells (allen-cahn-two-body, stde-sparse, R = 16 and 100,
 *                        d = 100 … 1e6) on webgpu → <dir>/results.csv, machine.json, bundle.json
 *   diagnose.sh          one cell (default d = 1e6, R = 16) trained with one step in flight and with
 *                        --sync-steps, and one whole step profiled → <dir>/*.json, summary.txt
 *   table3-stde.json     that matrix, generated from the paper-table-3 preset at build time
 *   BUNDLE.json          git commit, build date, Node and package versions, the libraries shipped
 *   lib/<soname>/        fallback libraries of the build machine (FALLBACK_LIBRARIES below)
 *   app/stde-bench.mjs   the CLI (esbuild, one file); app/*.wasm; app/node_modules/{webgpu,@resvg};
 *                        app/check-adapter.mjs, app/diagnosis-summary.mjs (check.sh's and diagnose.sh's helpers)
 *   app/src/…            files the code finds relative to its own source path (the launcher that
 *                        child processes run, the paper's reference CSV, the SIMD kernels' text)
 *
 * The source is bundled as bin/cli-build.mjs bundles it for every command, with its two rewrites:
 * here `import.meta.url` in project files becomes the file's path under app/src/, so paths such as
 * `new URL('../../bin/stde-bench.mjs', import.meta.url)` land on files the bundle provides; and
 * cli/main.ts's directory scan of cli/commands/*.ts becomes a static table of those modules.
 */
import { build } from 'esbuild';
import { bundledPackages, projectSources } from '../bin/cli-build.mjs';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { paperTable3 } from '../benchmarks/presets/paper-table-3.ts';
import { gitState } from '../benchmarks/runner/machine.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function fail(msg: string): never {
  process.stderr.write(`make-gpu-bundle: ${msg}\n`);
  process.exit(2);
}

// ---- arguments --------------------------------------------------------------------------------
const args = process.argv.slice(2);
let out = join(ROOT, 'dist', 'gpu-bundle');
let tar = false;
let smoke = false;
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === '--out') out = resolve(args[++i] ?? fail('--out needs a directory'));
  else if (a === '--tar') tar = true;
  else if (a === '--smoke') smoke = true;
  else fail(`unknown argument '${a}' (expected --out DIR, --tar, --smoke)`);
}
if (process.platform !== 'linux') fail('builds a Linux bundle; run it on Linux');
if (existsSync(out)) {
  if (readdirSync(out).length && !existsSync(join(out, 'BUNDLE.json'))) fail(`${out} exists and is not a bundle; refusing to replace it`);
  rmSync(out, { recursive: true, force: true });
}
const APP = join(out, 'app');
mkdirSync(join(APP, 'src'), { recursive: true });

const say = (s: string) => process.stdout.write(`make-gpu-bundle: ${s}\n`);
const NM = join(ROOT, 'node_modules');

// ---- the CLI, one ESM file --------------------------------------------------------------------
const rewritten = new Set<string>();
// The project's sources as bin/cli-build.mjs bundles them, with import.meta.url under app/src/.
const projectSourcesPlugin = projectSources({ root: ROOT, sourceBase: "new URL('./src/', import.meta.url)", rewritten });

say('bundling the CLI (esbuild)');
const result = await build({
  entryPoints: [join(ROOT, 'cli', 'main.ts')],
  outfile: join(APP, 'stde-bench.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // Packages with native code stay outside the single file, copied as packages beside it; the .wasm files lie beside it.
  ...bundledPackages('__stdeDirname(__filename)'),
  plugins: [projectSourcesPlugin],
  logLevel: 'warning',
  metafile: true,
});
if (result.errors.length) fail('esbuild failed');
say(`import.meta rewritten in: ${[...rewritten].sort().join(', ')}`);

// ---- files the code looks for at run time ------------------------------------------------------
const wasmDir = join(NM, '@tensorflow', 'tfjs-backend-wasm', 'dist');
for (const f of readdirSync(wasmDir).filter((f) => f.endsWith('.wasm'))) copyFileSync(join(wasmDir, f), join(APP, f));

// Child processes (the runner's cells, bench-operators) run <source dir>/../../bin/stde-bench.mjs.
mkdirSync(join(APP, 'src', 'bin'), { recursive: true });
writeFileSync(join(APP, 'src', 'bin', 'stde-bench.mjs'), "#!/usr/bin/env node\nimport '../../stde-bench.mjs';\n");
// The SIMD kernels' text, compiled when the wasm backend starts (engine/simd/simd.ts).
const wat = join('engine', 'simd', 'kernels.wat');
mkdirSync(join(APP, 'src', dirname(wat)), { recursive: true });
copyFileSync(join(ROOT, wat), join(APP, 'src', wat));
const refCsv = join('results', 'reference', 'paper-results.csv');
if (existsSync(join(ROOT, refCsv))) cpSync(join(ROOT, refCsv), join(APP, 'src', refCsv));
writeFileSync(join(APP, 'src', 'package.json'), readFileSync(join(ROOT, 'package.json')));

// webgpu: index.js + this platform's dawn.node (the other platforms' binaries are left out).
const platformDir = `${process.platform}-${process.arch}`;
const webgpuSrc = join(NM, 'webgpu');
if (!existsSync(join(webgpuSrc, 'dist', platformDir, 'dawn.node'))) fail(`node_modules/webgpu has no dist/${platformDir}/dawn.node: npm install (webgpu is an optional dependency)`);
const webgpuDst = join(APP, 'node_modules', 'webgpu');
mkdirSync(join(webgpuDst, 'dist'), { recursive: true });
for (const f of ['package.json', 'index.js', 'LICENSE.md']) if (existsSync(join(webgpuSrc, f))) copyFileSync(join(webgpuSrc, f), join(webgpuDst, f));
cpSync(join(webgpuSrc, 'dist', platformDir), join(webgpuDst, 'dist', platformDir), { recursive: true });

// @resvg/resvg-js (the report's PNG charts) and its platform binary package.
for (const dir of readdirSync(join(NM, '@resvg'))) {
  if (dir === 'resvg-js' || dir.startsWith(`resvg-js-${platformDir}`)) cpSync(join(NM, '@resvg', dir), join(APP, 'node_modules', '@resvg', dir), { recursive: true });
}

// ---- Node, fallback libraries, scripts ------------------------------------------------------------
copyFileSync(process.execPath, join(out, 'node'));
chmodSync(join(out, 'node'), 0o755);
/**
 * Libraries a machine with nothing but NVIDIA's driver may lack, shipped from this machine, each in its
 * own lib/<soname>/ so that the launchers add exactly those the host has none of: the Vulkan loader Dawn
 * opens, and what NVIDIA's Vulkan ICD (libGLX_nvidia.so.0) links against outside the driver — glvnd's
 * libGLdispatch (the H100 of results/table3-webgpu-h100 lacked it and the loader) and, in some driver
 * versions, libX11 and libXext (reported by NVIDIA's container-toolkit users), with their own dependencies.
 */
const FALLBACK_LIBRARIES = ['libvulkan.so.1', 'libGLdispatch.so.0', 'libX11.so.6', 'libXext.so.6', 'libxcb.so.1', 'libXau.so.6', 'libXdmcp.so.6', 'libbsd.so.0', 'libmd.so.0'];
const ldconfigArch = process.arch === 'arm64' ? 'AArch64' : 'x86-64';
const hostLibraries = new Map<string, string>(); // soname → path, this machine's architecture
try {
  for (const line of execFileSync('/sbin/ldconfig', ['-p'], { encoding: 'utf8' }).split('\n')) {
    const m = /^\s*(\S+) \(([^)]*)\) => (\S+)$/.exec(line);
    if (m && m[2].includes(ldconfigArch) && !hostLibraries.has(m[1])) hostLibraries.set(m[1], m[3]);
  }
} catch {
  say('warning: ldconfig -p failed; no fallback libraries shipped');
}
const shipped: Record<string, string> = {};
for (const soname of FALLBACK_LIBRARIES) {
  const path = hostLibraries.get(soname);
  if (!path) {
    say(`warning: no ${soname} on this machine to ship; a GPU machine without one cannot use the bundle's fallback`);
    continue;
  }
  mkdirSync(join(out, 'lib', soname), { recursive: true });
  copyFileSync(realpathSync(path), join(out, 'lib', soname, soname));
  shipped[soname] = basename(realpathSync(path));
}

const pkgVersion = (p: string) => (JSON.parse(readFileSync(join(NM, p, 'package.json'), 'utf8')) as { version: string }).version;
const info = {
  name: 'stde-bench gpu bundle',
  built: new Date().toISOString(),
  ...(await gitState()), // commit and dirty as machine.json has them
  node: process.version,
  platform: platformDir,
  packages: Object.fromEntries(['@tensorflow/tfjs', '@tensorflow/tfjs-backend-webgpu', '@tensorflow/tfjs-backend-wasm', 'webgpu'].map((p) => [p, pkgVersion(p)])),
  fallbackLibraries: shipped,
};
writeFileSync(join(out, 'BUNDLE.json'), JSON.stringify(info, null, 2) + '\n');

// Table 3's STDE cells, from the preset (so the bundle runs exactly what `run --preset paper-table-3` would for them).
const stdeGroups = paperTable3.groups
  .filter((g) => g.estimators.includes('stde-sparse'))
  .map((g) => ({ ...g, estimators: ['stde-sparse'] }));
if (!stdeGroups.length) fail('the paper-table-3 preset has no stde-sparse group');
writeFileSync(
  join(out, 'table3-stde.json'),
  JSON.stringify({ ...paperTable3, name: 'paper-table-3-stde', description: `${paperTable3.description} — STDE cells only`, backend: 'webgpu', groups: stdeGroups }, null, 2) + '\n',
);

// The launchers and their helpers are files of their own (scripts/gpu-bundle/): the shell scripts and
// env.sh (which each sources) beside the bundle's Node, the Node helpers in app/.
const SCRIPTS = join(ROOT, 'scripts', 'gpu-bundle');
for (const f of readdirSync(SCRIPTS).sort()) {
  const to = f.endsWith('.mjs') ? join(APP, f) : join(out, f);
  copyFileSync(join(SCRIPTS, f), to);
  if (f !== 'env.sh' && !f.endsWith('.mjs')) chmodSync(to, 0o755);
}

const kb = (p: string) => Math.round(Number(execFileSync('du', ['-sk', p], { encoding: 'utf8' }).split('\t')[0]) / 1024);
say(`bundle in ${out} (${kb(out)} MB; app/stde-bench.mjs ${Math.round(readFileSync(join(APP, 'stde-bench.mjs')).length / 1e6)} MB)`);

if (tar) {
  const file = `${out}.tar.gz`;
  execFileSync('tar', ['-czf', file, '-C', dirname(out), basename(out)]);
  say(`tarball ${file} (${kb(file)} MB)`);
}

if (smoke) {
  // expect: the exit status the command must have; env: added to the environment.
  const run = (cmd: string, a: string[], { expect = 0, env = {} }: { expect?: number; env?: Record<string, string> } = {}) => {
    say(`smoke: ${[...Object.entries(env).map(([k, v]) => `${k}=${v}`), cmd, ...a].join(' ')}`);
    const r = spawnSync(join(out, cmd), a, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    const text = `${r.stdout}${r.stderr}`.trim().split('\n').filter((l) => !l.startsWith('Warning: ')).join('\n');
    process.stdout.write(text.split('\n').slice(0, 12).map((l) => `  ${l}`).join('\n') + '\n');
    if (r.status !== expect) fail(`smoke test '${cmd} ${a.join(' ')}' exited ${r.status}, expected ${expect}`);
    return `${r.stdout}${r.stderr}`;
  };
  run('stde-bench', ['list']);
  run('check.sh', []);
  // Every shipped library on the path (as on a host that has none of them): the bundle's Vulkan loader still finds the adapter.
  const forced = run('check.sh', [], { env: { STDE_BUNDLE_LIBS: 'bundled' } });
  for (const soname of Object.keys(shipped)) if (!forced.includes(soname)) fail(`check.sh with STDE_BUNDLE_LIBS=bundled did not take ${soname}`);
  // A driver whose library cannot load: check.sh must fail and name the library the dynamic loader missed.
  const tmp = mkdtempSync(join(tmpdir(), 'stde-bundle-smoke-'));
  try {
    const manifest = join(tmp, 'missing_icd.json');
    writeFileSync(manifest, JSON.stringify({ file_format_version: '1.0.0', ICD: { library_path: 'libstde_smoke_missing.so.1', api_version: '1.3.0' } }));
    const said = run('check.sh', [], { expect: 1, env: { VK_DRIVER_FILES: manifest } });
    if (!/libstde_smoke_missing\.so\.1 does not load: .*cannot open shared object file/.test(said)) fail('check.sh did not name the driver library that failed to load');
    run('stde-bench', [
      'train', '--pde', 'allen-cahn-two-body', '--dim', '6', '--estimator', 'stde-sparse', '--R', '2', '--steps', '2', '--width', '8',
      '--points', '4', '--test-points', '50', '--eval-every', '2', '--backend', 'webgpu', '--json',
    ]);
    const t3 = join(tmp, 'table3');
    run('run-table3.sh', [t3, '--dims', '100', '--R', '16', '--seeds', '0', '--steps', '2']);
    for (const f of ['results.csv', 'machine.json', 'check.txt', 'bundle.json']) if (!existsSync(join(t3, f))) fail(`run-table3.sh wrote no ${f}`);
    // A failed check stops a measuring launcher before it measures.
    const stopped = join(tmp, 'table3-no-driver');
    run('run-table3.sh', [stopped, '--dims', '100'], { expect: 1, env: { VK_DRIVER_FILES: manifest } });
    if (existsSync(join(stopped, 'results.csv'))) fail('run-table3.sh measured after a failed check');
    const diag = join(tmp, 'diagnosis');
    run('diagnose.sh', [diag, '--dim', '6', '--R', '2', '--steps', '4', '--width', '8', '--points', '4', '--test-points', '20']);
    for (const f of ['train.json', 'train-sync-steps.json', 'profile-step.json', 'summary.txt', 'check.txt', 'bundle.json']) {
      if (!existsSync(join(diag, f))) fail(`diagnose.sh wrote no ${f}`);
    }
    const summary = readFileSync(join(diag, 'summary.txt'), 'utf8');
    if ((summary.match(/ it\/s \(median step/g) ?? []).length !== 2 || !/dispatches/.test(summary)) fail(`diagnose.sh's summary lacks a measurement:\n${summary}`);
    run('diagnose.sh', [diag, '--dims', '6'], { expect: 2 });
    // A measurement that fails is noted; the others still run and the script ends with status 1.
    const failed = run('diagnose.sh', [join(tmp, 'failed'), '--dim', '0', '--steps', '2'], { expect: 1 });
    if ((failed.match(/diagnose: \S+ failed/g) ?? []).length !== 3 || !failed.includes('no result')) fail('diagnose.sh did not report its failed measurements');
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  say('smoke: ok');
}
