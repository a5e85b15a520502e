/**
 * Builds a self-contained bundle for a GPU machine that has nothing but NVIDIA's driver (with its
 * Vulkan ICD): a Node binary, the whole CLI compiled into one ESM file, the tfjs WASM files, the
 * `webgpu` native module (Dawn), and scripts that run the Table 3 STDE cells on `--backend webgpu`.
 *
 *   node --import tsx scripts/make-gpu-bundle.ts [--out dist/gpu-bundle] [--tar] [--smoke]
 *
 * --tar    also writes <out>.tar.gz
 * --smoke  runs the bundle afterwards (list; operator on webgpu and wasm; a 2-step train on webgpu)
 *
 * Layout of <out>:
 *   node                 the Node binary that built it (process.execPath)
 *   stde-bench           launcher: ./stde-bench <command> … (adds lib/ when the host has no Vulkan loader)
 *   check.sh             prints the WebGPU adapter and evaluates one estimator on webgpu and wasm
 *   run-table3.sh        Table 3 STDE cells (allen-cahn-two-body, stde-sparse, R = 16 and 100,
 *                        d = 100 … 1e6) on webgpu → <dir>/results.csv, machine.json, bundle.json
 *   table3-stde.json     that matrix, generated from the paper-table-3 preset at build time
 *   BUNDLE.json          git commit, build date, Node and package versions
 *   lib/libvulkan.so.1   the Vulkan loader of the build machine (used only if the host lacks one)
 *   app/stde-bench.mjs   the CLI (esbuild, one file); app/*.wasm; app/node_modules/{webgpu,@resvg}
 *   app/src/…            files the code finds relative to its own source path (the launcher that
 *                        child processes run, the paper's reference CSV, the SIMD kernels' text)
 *
 * The source is bundled as it is, with two build-time rewrites (checked, loud if they stop
 * matching): `import.meta.url` in project files becomes the file's path under app/src/, so paths
 * such as `new URL('../../bin/stde-bench.mjs', import.meta.url)` land on files the bundle provides;
 * and cli/main.ts's directory scan of cli/commands/*.ts becomes a static table of those modules.
 */
import { build, type Plugin } from 'esbuild';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { paperTable3 } from '../benchmarks/presets/paper-table-3.ts';

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
const commandsDir = join(ROOT, 'cli', 'commands');
const commandFiles = readdirSync(commandsDir).filter((f) => f.endsWith('.ts')).sort();
const rewritten = new Set<string>();

const projectSources: Plugin = {
  name: 'stde-project-sources',
  setup(b) {
    b.onResolve({ filter: /^stde-bundle:/ }, (a) => ({ path: a.path, namespace: 'stde-bundle' }));
    b.onLoad({ filter: /.*/, namespace: 'stde-bundle' }, (a) => {
      if (a.path === 'stde-bundle:paths') {
        return {
          resolveDir: ROOT,
          loader: 'js',
          contents: [
            "import { fileURLToPath } from 'node:url';",
            "const SRC = new URL('./src/', import.meta.url);",
            'export const sourceUrl = (rel) => new URL(rel, SRC).href;',
            "export const sourceDir = (rel) => fileURLToPath(new URL('.', new URL(rel, SRC)));",
          ].join('\n'),
        };
      }
      if (a.path === 'stde-bundle:commands') {
        const table = commandFiles.map((f) => `  ${JSON.stringify(f)}: () => import(${JSON.stringify(join(commandsDir, f))}),`);
        return {
          resolveDir: ROOT,
          loader: 'js',
          contents: [
            "import { basename } from 'node:path';",
            `const table = {\n${table.join('\n')}\n};`,
            'export const commandFiles = () => Object.keys(table);',
            'export const importCommand = (f) => table[basename(f)]();',
          ].join('\n'),
        };
      }
      return undefined;
    });
    b.onLoad({ filter: /\.ts$/ }, (a) => {
      if (a.path.startsWith(NM) || !a.path.startsWith(ROOT + '/')) return undefined;
      const rel = relative(ROOT, a.path);
      let src = readFileSync(a.path, 'utf8');
      const header: string[] = [];
      if (rel === join('cli', 'main.ts')) {
        const scans = src.split('readdirSync(dir)').length - 1;
        const imports = src.split('import(join(dir, f))').length - 1;
        if (scans !== 1 || imports !== 1) {
          fail("cli/main.ts no longer discovers commands with readdirSync(dir) … import(join(dir, f)); update the rewrite in scripts/make-gpu-bundle.ts");
        }
        src = src.replace('readdirSync(dir)', '__stdeCommandFiles()').replace('import(join(dir, f))', '__stdeImportCommand(f)');
        header.push("import { commandFiles as __stdeCommandFiles, importCommand as __stdeImportCommand } from 'stde-bundle:commands';");
      }
      if (/import\.meta\.(url|dirname|filename)/.test(src)) {
        src = src
          .replaceAll('import.meta.url', `__stdeSourceUrl(${JSON.stringify(rel)})`)
          .replaceAll('import.meta.dirname', `__stdeSourceDir(${JSON.stringify(rel)})`)
          .replaceAll('import.meta.filename', `__stdeSourceFile(${JSON.stringify(rel)})`);
        header.push(
          "import { sourceUrl as __stdeSourceUrl, sourceDir as __stdeSourceDir } from 'stde-bundle:paths';",
          "import { fileURLToPath as __stdeToPath } from 'node:url';",
          'const __stdeSourceFile = (rel) => __stdeToPath(__stdeSourceUrl(rel));',
        );
        rewritten.add(rel);
      }
      return header.length ? { contents: header.join('\n') + '\n' + src, loader: 'ts' } : undefined;
    });
  },
};

// Packages with native code stay outside the single file, copied as packages beside it.
const NATIVE_EXTERNALS = ['@resvg/resvg-js', 'webgpu', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'];
say('bundling the CLI (esbuild)');
const result = await build({
  entryPoints: [join(ROOT, 'cli', 'main.ts')],
  outfile: join(APP, 'stde-bench.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: NATIVE_EXTERNALS,
  plugins: [projectSources],
  // CommonJS dependencies (tfjs, the WASM glue) expect require, __dirname and __filename.
  banner: {
    js: [
      "import { createRequire as __stdeCreateRequire } from 'node:module';",
      "import { fileURLToPath as __stdeFileURLToPath } from 'node:url';",
      "import { dirname as __stdeDirname } from 'node:path';",
      'const require = __stdeCreateRequire(import.meta.url);',
      'const __filename = __stdeFileURLToPath(import.meta.url);',
      'const __dirname = __stdeDirname(__filename);',
    ].join('\n'),
  },
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

// ---- Node, the Vulkan loader, scripts ------------------------------------------------------------
copyFileSync(process.execPath, join(out, 'node'));
chmodSync(join(out, 'node'), 0o755);
const loader = ['/usr/lib/x86_64-linux-gnu/libvulkan.so.1', '/usr/lib/aarch64-linux-gnu/libvulkan.so.1', '/usr/lib64/libvulkan.so.1', '/usr/lib/libvulkan.so.1'].find(existsSync);
if (loader) {
  mkdirSync(join(out, 'lib'), { recursive: true });
  copyFileSync(realpathSync(loader), join(out, 'lib', 'libvulkan.so.1'));
} else say('warning: no Vulkan loader (libvulkan.so.1) on this machine to ship; the GPU machine must have its own');

const git = (a: string[]) => {
  try {
    return execFileSync('git', a, { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
};
const pkgVersion = (p: string) => (JSON.parse(readFileSync(join(NM, p, 'package.json'), 'utf8')) as { version: string }).version;
const info = {
  name: 'stde-bench gpu bundle',
  built: new Date().toISOString(),
  commit: git(['rev-parse', 'HEAD']),
  dirty: git(['status', '--porcelain', '--untracked-files=no']) !== '',
  node: process.version,
  platform: platformDir,
  packages: Object.fromEntries(['@tensorflow/tfjs', '@tensorflow/tfjs-backend-webgpu', '@tensorflow/tfjs-backend-wasm', 'webgpu'].map((p) => [p, pkgVersion(p)])),
  vulkanLoader: loader ? basename(realpathSync(loader)) : null,
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

const script = (name: string, body: string) => {
  writeFileSync(join(out, name), body);
  chmodSync(join(out, name), 0o755);
};
const PRELUDE = `#!/bin/sh
set -eu
DIR=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
# Dawn loads the Vulkan loader libvulkan.so.1; use the host's, else the one shipped in lib/.
if ! { /sbin/ldconfig -p 2>/dev/null || ldconfig -p 2>/dev/null; } | grep -q 'libvulkan\\.so\\.1 '; then
  export LD_LIBRARY_PATH="$DIR/lib\${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi
# NVIDIA's container runtime mounts the driver under /usr/local/nvidia; where the loader's search
# path holds no NVIDIA ICD, use that one (the runs of results/table3-webgpu-h100 set VK_DRIVER_FILES to it).
if [ -z "\${VK_DRIVER_FILES:-}\${VK_ICD_FILENAMES:-}" ] && [ -f /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json ] \\
  && ! { ls /usr/share/vulkan/icd.d/nvidia*.json || ls /etc/vulkan/icd.d/nvidia*.json; } >/dev/null 2>&1; then
  export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
fi
`;
script('stde-bench', `${PRELUDE}exec "$DIR/node" "$DIR/app/stde-bench.mjs" "$@"\n`);
script(
  'check.sh',
  `${PRELUDE}# The WebGPU adapter Dawn picks (high-performance, as tfjs does), then one estimator on webgpu and wasm.
"$DIR/node" --input-type=module -e '
  const { create, globals } = await import(process.argv[1]);
  Object.assign(globalThis, globals);
  const gpu = create([]);
  const a = await gpu.requestAdapter({ powerPreference: "high-performance" });
  if (!a) { console.error("check: no WebGPU adapter (no Vulkan driver found)"); process.exit(1); }
  const i = a.info;
  console.log("adapter:", [i.vendor, i.architecture, i.device, i.description].filter(Boolean).join(" "));
' "$DIR/app/node_modules/webgpu/index.js"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cat > "$T/model.json" <<'EOF'
{"activation":"tanh","layers":[{"weight":[[0.3,-0.2,0.5],[0.1,0.4,-0.6],[-0.7,0.2,0.3]],"bias":[0.1,-0.1,0]},{"weight":[[0.8],[-0.5],[0.4]],"bias":[0.05]}]}
EOF
echo '[[0.1,0.2,0.3],[-0.4,0.5,0.1]]' > "$T/points.json"
for b in webgpu wasm; do
  printf '%s: ' "$b"
  "$DIR/stde-bench" operator --estimator stde-sparse --R 2 --seed 1 --model "$T/model.json" --points "$T/points.json" --backend "$b"
done
`,
);
script(
  'run-table3.sh',
  `${PRELUDE}# Usage: ./run-table3.sh [OUT_DIR] [run options, e.g. --seeds 0 --steps 1000 --timeout 3600 --resume;
#        --dims 1000000 --R 16 to run a part]
# Runs the Table 3 STDE cells (table3-stde.json) with --backend webgpu; writes OUT_DIR/results.csv,
# machine.json, run.json, per-cell samples, bundle.json (what built this bundle) and nvidia-smi.txt.
OUT=\${1:-results-table3-webgpu-$(hostname)-$(date +%Y%m%d-%H%M%S)}
[ $# -gt 0 ] && shift
mkdir -p "$OUT"
cp "$DIR/BUNDLE.json" "$OUT/bundle.json"
if command -v nvidia-smi >/dev/null 2>&1; then nvidia-smi -q > "$OUT/nvidia-smi.txt" 2>&1 || true; fi
"$DIR/check.sh" > "$OUT/check.txt" 2>&1 || { cat "$OUT/check.txt" >&2; echo "run-table3: the bundle's check failed (see above)" >&2; exit 1; }
head -n 1 "$OUT/check.txt"
"$DIR/stde-bench" run --matrix "$DIR/table3-stde.json" --backend webgpu --out "$OUT" "$@"
echo "run-table3: results in $OUT (results.csv, machine.json)"
`,
);

const kb = (p: string) => Math.round(Number(execFileSync('du', ['-sk', p], { encoding: 'utf8' }).split('\t')[0]) / 1024);
say(`bundle in ${out} (${kb(out)} MB; app/stde-bench.mjs ${Math.round(readFileSync(join(APP, 'stde-bench.mjs')).length / 1e6)} MB)`);

if (tar) {
  const file = `${out}.tar.gz`;
  execFileSync('tar', ['-czf', file, '-C', dirname(out), basename(out)]);
  say(`tarball ${file} (${kb(file)} MB)`);
}

if (smoke) {
  const run = (cmd: string, a: string[]) => {
    say(`smoke: ${[cmd, ...a].join(' ')}`);
    const r = spawnSync(join(out, cmd), a, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const text = `${r.stdout}${r.stderr}`.trim().split('\n').filter((l) => !l.startsWith('Warning: maxDynamic')).join('\n');
    process.stdout.write(text.split('\n').slice(0, 12).map((l) => `  ${l}`).join('\n') + '\n');
    if (r.status !== 0) fail(`smoke test '${cmd} ${a.join(' ')}' exited ${r.status}`);
    return r.stdout;
  };
  run('stde-bench', ['list']);
  run('check.sh', []);
  run('stde-bench', [
    'train', '--pde', 'allen-cahn-two-body', '--dim', '6', '--estimator', 'stde-sparse', '--R', '2', '--steps', '2', '--width', '8',
    '--points', '4', '--test-points', '50', '--eval-every', '2', '--backend', 'webgpu', '--json',
  ]);
  say('smoke: ok');
}
