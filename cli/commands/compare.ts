/**
 * `stde-bench compare BASE.csv NEW.csv`: per-cell regression check for CI. Exit 1 when a cell
 * regressed (slower by more than --factor and significant at --alpha, or stopped running), else 0.
 */
import type { Command } from 'commander';
import { UsageError } from '../../engine/errors.ts';
import { num } from '../options.ts';
import { compareRuns, formatTable, isRegression, loadRun } from '../../benchmarks/compare/compare-runs.ts';

export function register(program: Command): void {
  program
    .command('compare')
    .description('compare two results CSVs cell by cell; exit 1 on a significant slowdown (Mann–Whitney U on per-step samples)')
    .argument('<base>', 'baseline results.csv (its samples/ folder beside it)')
    .argument('<new>', 'new results.csv')
    .option('--factor <f>', 'flag a slowdown only above this ratio of median step times', num('factor'), 1.1)
    .option('--alpha <p>', 'significance level of the Mann–Whitney U test', num('alpha'), 0.002)
    .action((basePath: string, newPath: string, o: { factor: number; alpha: number }) => {
      if (o.factor < 1) throw new UsageError(`--factor must be ≥ 1, got ${o.factor}`);
      if (!(o.alpha > 0 && o.alpha < 1)) throw new UsageError(`--alpha must be in (0, 1), got ${o.alpha}`);
      const result = compareRuns(loadRun(basePath), loadRun(newPath), o);
      process.stdout.write(`${formatTable(result, o)}\n`);
      process.exitCode = result.some(isRegression) ? 1 : 0;
    });
}
