/**
 * The folder a command writes into, made before anything runs. A path that cannot be a folder (a
 * file on the way, a read-only or virtual file system) is a usage error, one line and exit 2, rather
 * than a stack trace after the first cell. Made one level at a time: Node 20's recursive mkdirSync
 * never returns under /proc (it retries the ENOENT there forever).
 */
import { mkdirSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UsageError } from '../engine/errors.ts';
import { slug } from '../benchmarks/runner/cell-id.ts';

/** `what` names the path in an error (default: `--out PATH`). Ends with a folder files can be written in. */
export function makeOutDir(path: string, what = `--out ${path}`): void {
  for (const dir of missingFolders(path, what)) {
    try {
      mkdirSync(dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new UsageError(`${what}: cannot make the folder ${dir} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
  }
  assertWritable(resolve(path), what);
}

/** What makeOutDir would refuse, making nothing (`run --dry-run`): a file on the way, or a folder that takes no file. */
export function checkOutDir(path: string, what = `--out ${path}`): void {
  const missing = missingFolders(path, what);
  assertWritable(missing.length ? dirname(missing[0]) : resolve(path), what); // the folder the first new one goes in
}

/** The folders on the way to `path` that do not exist yet, outermost first; a file where a folder goes is refused. */
function missingFolders(path: string, what: string): string[] {
  if (path.trim() === '') throw new UsageError(`${what}: an empty path names no folder`);
  const missing: string[] = [];
  let at = resolve(path);
  for (;;) {
    try {
      if (statSync(at).isDirectory()) return missing;
      throw new UsageError(`${what}: ${at} is a file, not a folder`);
    } catch (e) {
      if (e instanceof UsageError) throw e;
      const code = (e as NodeJS.ErrnoException).code;
      if ((code !== 'ENOENT' && code !== 'ENOTDIR') || dirname(at) === at) throw new UsageError(`${what}: ${(e as Error).message}`);
    }
    missing.unshift(at);
    at = dirname(at);
  }
}

/** An existing folder may still take no file (/proc, a read-only mount): found now, not at the first write. */
function assertWritable(dir: string, what: string): void {
  const probe = join(dir, `.stde-bench-write-${process.pid}`);
  try {
    writeFileSync(probe, '');
    unlinkSync(probe);
  } catch (e) {
    throw new UsageError(`${what}: cannot write in ${dir} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

/**
 * The default folder of a command's results: results/<name>-<date>-<time>, new every run. The name
 * comes from a matrix file, so it is slugged: one plain folder inside results/ ('../x' would leave it,
 * '.x' would hide it).
 */
export function stampedOutDir(name: string): string {
  const stamp = new Date().toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-');
  const safe = slug(name).replace(/^[.-]+/, '') || 'run';
  return join('results', `${safe}-${stamp}`);
}
