/**
 * One results folder from several rounds of the same matrix (`stde-bench ab`, cli/commands/ab.ts, runs each side of an A/B
 * comparison in rounds, alternating with the other side, so that both see the machine's drift).
 * Per cell: the per-step samples of every round, concatenated, and the first round's row with its
 * step statistics taken over them; a round in which the cell did not finish gives its row instead,
 * so that `compare` sees the failure (with the pooled samples when every round timed some steps).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { UsageError } from '../../engine/errors.ts';
import { appendRow, FINISHED, hasTimedSteps, readRows, type ParsedRow, type Row } from '../runner/csv-store.ts';
import { pathsIn, readSamples, RESULTS_CSV, writeSamples, type Samples } from '../runner/results-folder.ts';
import { stepStats } from '../training/record.ts';

/** Pools the results folders `rounds` (each written by `stde-bench run`) into `out`; returns the cell count. */
export function poolRounds(rounds: string[], out: string): number {
  if (!rounds.length) throw new UsageError('pool: no rounds');
  const to = pathsIn(out);
  if (existsSync(to.csv)) throw new UsageError(`pool: ${out} already holds ${RESULTS_CSV}`);
  const tables = rounds.map((dir) => readRows(pathsIn(dir).csv));
  const byCell = tables.map((rows) => new Map(rows.map((r) => [String(r.cell), r])));
  // Every round is read before `out` is written: a bad samples file leaves no half-pooled folder.
  const pooled = tables[0].map((first): { row: Row; samples?: Samples } => {
    const cell = String(first.cell);
    const rows = byCell.map((m) => m.get(cell)).filter((r): r is ParsedRow => r !== undefined);
    const failed = rows.find((r) => !FINISHED.has(String(r.status)));
    const samples = rounds.map((dir) => readSamples(dir, cell));
    const stepMs = samples.flatMap((s) => s?.step_ms ?? []);
    const row = { ...(failed ?? first) } as unknown as Row;
    if (!rows.every(hasTimedSteps) || !stepMs.length) return { row };
    Object.assign(row, stepStats(stepMs), { timed_steps: stepMs.length });
    return { row, samples: { ...samples.find(Boolean)!, cell, step_ms: stepMs, rounds: rounds.length } };
  });
  mkdirSync(to.samples, { recursive: true });
  for (const { row, samples } of pooled) {
    if (samples) writeSamples(out, samples);
    appendRow(to.csv, row);
  }
  return tables[0].length;
}
