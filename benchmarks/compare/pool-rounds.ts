/**
 * One results folder from several rounds of the same matrix (`stde-bench ab`, cli/commands/ab.ts, runs each side of an A/B
 * comparison in rounds, alternating with the other side, so that both see the machine's drift).
 * Per cell: the per-step samples of every round, concatenated, and the first round's row with its
 * step statistics taken over them; a round in which the cell did not finish gives its row instead,
 * so that `compare` sees the failure (with the pooled samples when every round timed some steps).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../../engine/errors.ts';
import { appendRow, FINISHED, hasTimedSteps, readRows, type ParsedRow, type Row } from '../runner/csv-store.ts';
import { stepStats } from '../training/record.ts';

function samplesOf(dir: string, cell: string): { step_ms: number[]; rest: Record<string, unknown> } | undefined {
  const f = join(dir, 'samples', `${cell}.json`);
  if (!existsSync(f)) return undefined;
  const s = JSON.parse(readFileSync(f, 'utf8')) as { step_ms?: number[] } & Record<string, unknown>;
  return { step_ms: Array.isArray(s.step_ms) ? s.step_ms : [], rest: s };
}

/** Pools the results folders `rounds` (each written by `stde-bench run`) into `out`; returns the cell count. */
export function poolRounds(rounds: string[], out: string): number {
  if (!rounds.length) throw new UsageError('pool: no rounds');
  if (existsSync(join(out, 'results.csv'))) throw new UsageError(`pool: ${out} already holds results.csv`);
  const tables = rounds.map((dir) => readRows(join(dir, 'results.csv')));
  const byCell = tables.map((rows) => new Map(rows.map((r) => [String(r.cell), r])));
  mkdirSync(join(out, 'samples'), { recursive: true });
  for (const first of tables[0]) {
    const cell = String(first.cell);
    const rows = byCell.map((m) => m.get(cell)).filter((r): r is ParsedRow => r !== undefined);
    const failed = rows.find((r) => !FINISHED.has(String(r.status)));
    const samples = rounds.map((dir) => samplesOf(dir, cell));
    const pooled = samples.flatMap((s) => s?.step_ms ?? []);
    const row = { ...(failed ?? first) } as unknown as Row;
    if (rows.every(hasTimedSteps) && pooled.length) {
      Object.assign(row, stepStats(pooled), { timed_steps: pooled.length });
      writeFileSync(join(out, 'samples', `${cell}.json`), JSON.stringify({ ...samples.find(Boolean)!.rest, step_ms: pooled, rounds: rounds.length }));
    }
    appendRow(join(out, 'results.csv'), row);
  }
  return tables[0].length;
}
