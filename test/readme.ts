/** The README as the tests that hold it to the code read it. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');

/** The cells of the first Markdown table from `marker` on (a line before it, or its header line): header and separator first. */
export function tableAfter(marker: string): string[][] {
  const at = readme.indexOf(marker);
  assert.ok(at >= 0, `README has no "${marker}"`);
  const lines = readme.slice(at).split('\n');
  const first = lines.findIndex((l) => l.startsWith('|'));
  const end = lines.findIndex((l, i) => i > first && !l.startsWith('|'));
  return lines.slice(first, end).map((l) => l.split('|').slice(1, -1).map((c) => c.trim()));
}
