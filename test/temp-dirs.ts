/**
 * Temporary folders for a test file, removed when its process ends (node --test runs each file in a
 * process of its own), so that test runs leave nothing in the system's temporary folder.
 * STDE_KEEP_TEST_TMP=1 keeps them, to look at what a failing test wrote.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made: string[] = [];
process.on('exit', () => {
  if (process.env.STDE_KEEP_TEST_TMP === '1') return;
  for (const dir of made) {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch (e) {
      process.stderr.write(`temp-dirs: could not remove ${dir}: ${(e as Error).message}\n`); // a warning, not a failed test file
    }
  }
});

/** A new empty folder under the system's temporary folder, named `${prefix}XXXXXX`. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}
