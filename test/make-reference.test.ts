/**
 * results/reference/paper-results.csv is what scripts/make-reference.ts makes of the spec's
 * paper-results.csv, byte for byte: a change to the script's tagging (targets, variants, notes) shows
 * as a diff with the committed file. The script writes beside itself (ROOT/results/reference), so it
 * runs from a copy in a temporary root whose benchmarks/ and node_modules/ link to the real ones.
 * Skipped where the spec is absent (it sits beside the checkout, ../shared/spec, as the script expects).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { tempDir } from './temp-dirs.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SPEC = resolve(ROOT, '../shared/spec/paper-results.csv'); // the script's default input
const COMMITTED = join(ROOT, 'results/reference/paper-results.csv');

const skip = !existsSync(SPEC) && `no spec at ${SPEC}: the committed reference cannot be regenerated here`;

test('scripts/make-reference.ts regenerates the committed results/reference/paper-results.csv from the spec', { skip, timeout: 60_000 }, async () => {
  const root = tempDir('make-reference-');
  mkdirSync(join(root, 'scripts'));
  cpSync(join(ROOT, 'scripts/make-reference.ts'), join(root, 'scripts/make-reference.ts'));
  for (const dir of ['benchmarks', 'node_modules']) symlinkSync(join(ROOT, dir), join(root, dir), 'dir');
  await execa(process.execPath, ['--import', 'tsx', join(root, 'scripts/make-reference.ts'), SPEC], { cwd: ROOT });
  const made = readFileSync(join(root, 'results/reference/paper-results.csv'), 'utf8');
  const committed = readFileSync(COMMITTED, 'utf8');
  if (made !== committed) {
    const [a, b] = [made.split('\n'), committed.split('\n')];
    let i = 0;
    while (a[i] === b[i]) i++;
    assert.fail(`regenerated reference differs from ${COMMITTED} (${a.length} vs ${b.length} lines), first at line ${i + 1}:\n  made:      ${a[i]}\n  committed: ${b[i]}`);
  }
});
