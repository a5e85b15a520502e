/**
 * `stde-bench compare BASE NEW` (each a results.csv or the folder holding it): per-cell regression check for CI. Exit 1 when a cell
 * regressed (slower by more than --factor and significant at --alpha, or stopped running), else 0.
 */
import type { Command } from 'commander';
import { verdictOptions } from '../options.ts';
import { compareRuns, formatTable, isRegression, loadRun } from '../../benchmarks/compare/compare-runs.ts';

export function register(program: Command): void {
  const cmd = program
    .command('compare')
    .description('compare two results CSVs cell by cell; exit 1 on a significant slowdown (Mann–Whitney U on per-step samples)')
    .argument('<base>', 'baseline results.csv (its samples/ folder beside it), or the folder holding both')
    .argument('<new>', 'new results.csv, or its folder');
  verdictOptions(cmd).action((basePath: string, newPath: string, o: { factor: number; alpha: number }) => {
    const result = compareRuns(loadRun(basePath), loadRun(newPath), o);
    process.stdout.write(`${formatTable(result, o)}\n`);
    process.exitCode = result.some(isRegression) ? 1 : 0;
  });
}
