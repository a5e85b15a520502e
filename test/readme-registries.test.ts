/**
 * Adding an estimator, a PDE or a preset is one file plus a registry line, and a row in the README: the
 * README's tables name exactly what the registries hold, so a new entry without its row, or a row
 * left behind by a removed one, fails here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ESTIMATORS } from '../operators/registry.ts';
import { PDES } from '../benchmarks/pdes/registry.ts';
import { PRESETS } from '../benchmarks/presets/index.ts';
import { readme, tableAfter } from './readme.ts';

/** The first cells of the rows of the Markdown table whose header line is `header`. */
const firstCells = (header: string): string[] => tableAfter(header).slice(2).map((row) => row[0]);

/** The `names` in cells; "`paper-table-4`, `-5`" names paper-table-4 and paper-table-5. */
function namesIn(cells: string[]): string[] {
  const names: string[] = [];
  for (const cell of cells) {
    for (const [, name] of cell.matchAll(/`([^`]+)`/g)) {
      names.push(name.startsWith('-') ? names[names.length - 1].replace(/-[^-]+$/, '') + name : name);
    }
  }
  return names;
}

const sorted = (names: Iterable<string>) => [...names].sort();

test('the estimator table names every registered estimator, and nothing else', () => {
  assert.deepEqual(sorted(namesIn(firstCells('| name | what it computes |'))), sorted(ESTIMATORS.map((e) => e.name)));
});

test("the layout's estimators/ and baselines/ rows name the STDE family and the baselines", () => {
  const layout = new Map(readme.split('\n').filter((l) => l.startsWith('| `')).map((l) => [l.split('|')[1].trim(), l.split('|')[2]]));
  for (const [folder, family] of [['`estimators/`', 'stde'], ['`baselines/`', 'baseline']] as const) {
    const row = layout.get(folder);
    assert.ok(row, `no layout row for ${folder}`);
    assert.deepEqual(sorted(namesIn([row]).filter((n) => !n.includes('/'))), sorted(ESTIMATORS.filter((e) => e.family === family).map((e) => e.name)), folder);
  }
});

test('the PDE table names every registered PDE, and nothing else', () => {
  assert.deepEqual(sorted(namesIn(firstCells('| command-line name | paper id | what |'))), sorted(PDES.map((p) => p.name)));
});

test('the presets table names every registered preset, and nothing else', () => {
  assert.deepEqual(sorted(namesIn(firstCells('| preset | cells | what | time here |'))), sorted(PRESETS.map((p) => p.name)));
});
