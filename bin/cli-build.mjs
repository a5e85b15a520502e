/**
 * The CLI as one ESM file, built by esbuild from the TypeScript sources and the packages they use.
 * bin/stde-bench.mjs runs it from a cache (node_modules/.cache/stde-bench), keyed by the path, size
 * and modification time of every source file and the lock file, so an edit is picked up by the next
 * command. It starts ~1.5 s sooner than through tsx, whose loader hooks hand each of the ~150 modules to
 * a worker thread, and ~0.6 s sooner than with its packages left in node_modules, where Node resolves
 * and lexes tfjs's ~1 800 CommonJS modules on every start; the runner and the tests start hundreds of
 * processes. scripts/make-gpu-bundle.ts relocates the same build.
 *
 * Two rewrites make the sources bundle as they are (each checked, and loud if it stops matching):
 * `import.meta.url` in a project file becomes that file's own URL (in place, or under the GPU
 * bundle's app/src/), and cli/main.ts's scan of cli/commands/ becomes a static table of its modules.
 * Plain JavaScript, so that starting it needs no TypeScript loader.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');

/** The folders the CLI's sources live in (bin/ holds this file, whose rewrites shape the build). */
export const SOURCE_DIRS = ['cli', 'engine', 'taylor', 'model', 'sampling', 'operators', 'estimators', 'baselines', 'planner', 'benchmarks', 'report', 'bin'];

/**
 * esbuild options that put the packages in the one file too, but for those with native code, which
 * load from node_modules (or, in the GPU bundle, from copies beside it). Their ESM builds come first
 * (~0.2 s sooner to start than the CommonJS ones). The CommonJS left expects `require`, `__filename`
 * and `__dirname`; tfjs-backend-wasm's Emscripten glue reads `__dirname` to find its .wasm files
 * (`wasmDir`, a JavaScript expression for the folder that holds them), and wabt's, whose binary is
 * inline, to no effect.
 */
export function bundledPackages(wasmDir) {
  return {
    external: ['@resvg/resvg-js', 'webgpu', ...TFJS_NODE],
    mainFields: ['module', 'main'],
    banner: {
      js: [
        "import { createRequire as __stdeCreateRequire } from 'node:module';",
        "import { fileURLToPath as __stdeFileURLToPath } from 'node:url';",
        "import { dirname as __stdeDirname } from 'node:path';",
        'const require = __stdeCreateRequire(import.meta.url);',
        'const __filename = __stdeFileURLToPath(import.meta.url);',
        `const __dirname = ${wasmDir};`,
      ].join('\n'),
    },
  };
}

/** The optional TensorFlow C library packages (engine/backend.ts loads them where installed). */
const TFJS_NODE = ['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'];

/** `require` as the root's package resolves packages. */
const requireFrom = (root) => createRequire(join(root, 'package.json'));

/**
 * Whether tfjs-node (or -node-gpu) is installed. It registers its backend with the tfjs in
 * node_modules, which a build holding its own copy of tfjs would never see: that build leaves every
 * package in node_modules instead.
 */
export function tfjsNodeInstalled(root = ROOT) {
  const require = requireFrom(root);
  return TFJS_NODE.some((p) => {
    try {
      require.resolve(p);
      return true;
    } catch {
      return false;
    }
  });
}

/**
 * esbuild plugin: project .ts files with their two rewrites. `sourceBase` is a JavaScript expression
 * for the URL of the folder that stands for the project root at run time.
 */
export function projectSources({ root = ROOT, sourceBase, rewritten = new Set() }) {
  const commandsDir = join(root, 'cli', 'commands');
  const nodeModules = join(root, 'node_modules');
  return {
    name: 'stde-project-sources',
    setup(b) {
      b.onResolve({ filter: /^stde-bundle:/ }, (a) => ({ path: a.path, namespace: 'stde-bundle' }));
      b.onLoad({ filter: /.*/, namespace: 'stde-bundle' }, (a) => {
        if (a.path === 'stde-bundle:paths') {
          return {
            resolveDir: root,
            loader: 'js',
            contents: [
              "import { fileURLToPath } from 'node:url';",
              `const SRC = ${sourceBase};`,
              'export const sourceUrl = (rel) => new URL(rel, SRC).href;',
              "export const sourceDir = (rel) => fileURLToPath(new URL('.', new URL(rel, SRC))).replace(/\\/$/, '');",
            ].join('\n'),
          };
        }
        if (a.path === 'stde-bundle:commands') {
          const files = readdirSync(commandsDir).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')).sort(); // as cli/main.ts
          const table = files.map((f) => `  ${JSON.stringify(f)}: () => import(${JSON.stringify(join(commandsDir, f))}),`);
          return {
            resolveDir: root,
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
        if (a.path.startsWith(nodeModules) || !a.path.startsWith(root + '/')) return undefined;
        const rel = relative(root, a.path);
        let src = readFileSync(a.path, 'utf8');
        const header = [];
        if (rel === join('cli', 'main.ts')) {
          const scans = src.split('readdirSync(dir)').length - 1;
          const imports = src.split('import(join(dir, f))').length - 1;
          if (scans !== 1 || imports !== 1) {
            throw new Error('cli/main.ts no longer discovers commands with readdirSync(dir) … import(join(dir, f)); update the rewrite in bin/cli-build.mjs');
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
}

/**
 * Every source file's path, size and mtime, with the root, Node's and esbuild's versions, whether the
 * packages are bundled, and the files esbuild reads besides the sources (the lock files stand for the
 * packages: npm rewrites node_modules/.package-lock.json on every install, --no-save ones included):
 * what a build depends on.
 */
function sourceKey(root, packagesBundled) {
  const esbuildVersion = JSON.parse(readFileSync(requireFrom(root).resolve('esbuild/package.json'), 'utf8')).version;
  const hash = createHash('sha256').update(`${root}\n${process.version}\n${esbuildVersion}\n${packagesBundled}\n`);
  const walk = (dir) => {
    for (const e of readdirSync(join(root, dir), { withFileTypes: true }).sort((p, q) => (p.name < q.name ? -1 : 1))) {
      const rel = join(dir, e.name);
      if (e.isDirectory()) walk(rel);
      else if (/\.(ts|mjs|json|wat)$/.test(e.name)) {
        const s = statSync(join(root, rel));
        hash.update(`${rel}\t${s.size}\t${Math.trunc(s.mtimeMs)}\n`);
      }
    }
  };
  for (const dir of SOURCE_DIRS) walk(dir);
  for (const file of ['package.json', 'tsconfig.json', 'package-lock.json', join('node_modules', '.package-lock.json')]) {
    const s = statSync(join(root, file), { throwIfNoEntry: false });
    if (s) hash.update(`${file}\t${s.size}\t${Math.trunc(s.mtimeMs)}\n`);
  }
  return hash.digest('hex').slice(0, 16);
}

/**
 * The cached build of this checkout's CLI, built first if a source changed: its path. Throws where
 * no build can be made (esbuild missing, a source that does not compile, an unwritable cache);
 * the caller then runs the sources through tsx, which reports a compile error as usual.
 */
export async function cachedCli(root = ROOT) {
  const dir = join(root, 'node_modules', '.cache', 'stde-bench');
  const prefix = `cli-${createHash('sha256').update(root).digest('hex').slice(0, 8)}-`;
  const packagesBundled = !tfjsNodeInstalled(root);
  const file = join(dir, `${prefix}${sourceKey(root, packagesBundled)}.mjs`);
  try {
    const now = new Date();
    utimesSync(file, now, now); // its age is its last use: the clean-up below leaves it alone
    return file;
  } catch {
    // not built yet
  }
  const { build, stop } = await import('esbuild');
  mkdirSync(dir, { recursive: true });
  const partial = `${file}.${process.pid}.tmp`;
  try {
    await build({
      entryPoints: [join(root, 'cli', 'main.ts')],
      absWorkingDir: root, // the bundle's comments name sources relative to the root, whoever builds it
      outfile: partial,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      ...(packagesBundled
        ? // Resolved now: the build is keyed by the root, whose node_modules holds the .wasm files.
          bundledPackages(JSON.stringify(dirname(requireFrom(root).resolve('@tensorflow/tfjs-backend-wasm'))))
        : { packages: 'external' }), // resolved from node_modules at run time, as tsx does
      plugins: [projectSources({ root, sourceBase: `new URL(${JSON.stringify(pathToFileURL(root + '/').href)})` })],
      logLevel: 'silent',
    });
    renameSync(partial, file); // whole or not there at all: a concurrent process may build the same file
  } finally {
    rmSync(partial, { force: true });
    await stop(); // esbuild's service process would stay for the command's life (and in its memory)
  }
  // Builds of this checkout unused for 10 minutes (no process is about to load them; one that lost
  // the race falls back to tsx), and any build unused for a week (of checkouts that share these
  // node_modules, such as `ab`'s worktrees, since removed).
  for (const f of readdirSync(dir)) {
    const path = join(dir, f);
    try {
      const age = Date.now() - statSync(path).mtimeMs;
      if (path !== file && ((f.startsWith(prefix) && age > 10 * 60_000) || age > 7 * 24 * 3600_000)) rmSync(path, { force: true });
    } catch {
      // another process removed or renamed it first
    }
  }
  return file;
}
