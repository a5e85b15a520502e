/**
 * Writes the report's files all or nothing: checks up front that its folders and files can be
 * written, then writes every file under a temporary name and renames them into place once all are.
 */
import { accessSync, constants, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { UsageError } from '../engine/errors.ts';

const cannotWrite = (what: string) => new UsageError(`cannot write the report: ${what}`);

/** 'folder', 'file', or undefined where nothing is (or a parent is not a folder: that parent's own check says so). */
function kindAt(path: string): 'folder' | 'file' | undefined {
  try {
    return statSync(path).isDirectory() ? 'folder' : 'file';
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw cannotWrite(`${path} (${code ?? (e as Error).message})`);
  }
}

/**
 * Refuses, before anything is written, a report that could not be written whole: a file where one of
 * its folders goes (outermost first), a folder where one of its files goes, a folder that takes no new file.
 */
export function checkWritable(folders: string[], files: string[]): void {
  for (const f of folders) {
    const kind = kindAt(f);
    if (kind === 'file') throw cannotWrite(`${f} is a file, not a folder`);
    // New files go into the folder, or into its parent when the folder is yet to be made.
    const into = kind === 'folder' ? f : dirname(f);
    if (kindAt(into) !== 'folder') continue;
    try {
      accessSync(into, constants.W_OK);
    } catch {
      throw cannotWrite(`${into} is not writable`);
    }
  }
  for (const f of files) if (kindAt(f) === 'folder') throw cannotWrite(`${f} is a folder, not a file`);
}

/**
 * Writes every file under a temporary name first and renames them into place only once all are
 * written: a write that fails midway (a full disk) leaves the previous report as it was.
 */
export function writeAll(folders: string[], files: [string, string | Buffer][]): void {
  const tmp = (path: string) => `${path}.${process.pid}.tmp`;
  const written: string[] = [];
  try {
    for (const f of folders) mkdirSync(f, { recursive: true });
    for (const [path, data] of files) {
      writeFileSync(tmp(path), data);
      written.push(tmp(path));
    }
  } catch (e) {
    for (const t of written) rmSync(t, { force: true });
    throw cannotWrite((e as Error).message.split('\n')[0]);
  }
  for (const [path] of files) renameSync(tmp(path), path);
}
