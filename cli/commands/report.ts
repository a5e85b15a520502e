/** `stde-bench report DIR`: turn a results folder into the offline HTML report DIR/report/index.html. */
import type { Command } from 'commander';
import { join } from 'node:path';
import { buildReport } from '../../report/build-report.ts';

export function register(program: Command): void {
  program
    .command('report')
    .description('write DIR/report/index.html (self-contained, offline) and PNG charts from a results folder')
    .argument('<dir>', 'results folder written by `stde-bench run`')
    .action(async (dir: string) => {
      const r = await buildReport(dir);
      process.stdout.write(`${join(dir, 'report', 'index.html')} (${r.charts.length} charts)\n`);
    });
}
