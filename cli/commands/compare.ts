/**
 * `stde-bench compare BASE NEW` (each a results.csv or the folder holding it): per-cell regression check for CI. Exit 1 when a cell
 * regressed (slower by more than --factor and significant at --alpha, or stopped running) or was
 * timed differently from the base (so left unchecked), else 0.
 */
import type { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import { verdictOptions } from '../options.ts';
import { compareRuns, failsGate, formatTable, openRunForCompare, type CompareOptions } from '../../benchmarks/compare/compare-runs.ts';

/** Compares two runs, prints the table (and saves it to `saveTo`) and sets the exit code: 1 when a cell fails the gate (failsGate), else 0. `ab` ends with it too. */
export function compareAndExit(basePath: string, newPath: string, o: CompareOptions, saveTo?: string): void {
  const result = compareRuns(openRunForCompare(basePath), openRunForCompare(newPath), o);
  const table = formatTable(result, o);
  if (saveTo) writeFileSync(saveTo, `${table}\n`);
  process.stdout.write(`${table}\n`);
  process.exitCode = result.some(failsGate) ? 1 : 0;
}

export function register(program: Command): void {
  const cmd = program
    .command('compare')
    .description('compare two results CSVs cell by cell; exit 1 on a significant slowdown (Mann–Whitney U on per-step samples)')
    .argument('<base>', 'baseline results.csv (its samples/ folder beside it), or the folder holding both')
    .argument('<new>', 'new results.csv, or its folder');
  verdictOptions(cmd).action((basePath: string, newPath: string, o: CompareOptions) => compareAndExit(basePath, newPath, o));
}
