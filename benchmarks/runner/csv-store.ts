/**
 * The tidy results CSV: one row per finished cell, appended and fsync'ed as each cell ends, so a
 * `kill -9` of the runner loses no finished row. A row cut short by a kill mid-write is dropped on
 * resume (its cell simply runs again).
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, truncateSync, writeSync } from 'node:fs';
import { stringify } from 'csv-stringify/sync';
import { parse } from 'csv-parse/sync';
import { UsageError } from '../../engine/errors.ts';
import { RECORD_STATUSES } from '../training/record.ts';

/** A train record's statuses, and `error`: a cell whose child left no record (a crash, a kill by the runner). */
const STATUSES = [...RECORD_STATUSES, 'error'] as const;
export type CellStatus = (typeof STATUSES)[number];

export const COLUMNS = [
  'cell', 'pde', 'dim', 'estimator', 'R', 'seed', 'backend', 'width', 'depth', 'block', 'steps', 'points', 'micro_batches', 'variant',
  'status', 'steps_done', 'it_per_s', 'step_ms_median', 'step_ms_p10', 'step_ms_p90', 'warmup_steps', 'timed_steps', 'timing',
  'peak_tensor_mb', 'memory_probe', 'rss_peak_mb', 'rss_probe', 'wasm_heap_mb',
  'rel_l2_final', 'rel_l2_best', 'rel_l1_final', 'rel_l1_best', 'params', 'labels',
  'wall_s', 'started_at', 'message',
] as const;
export type Column = (typeof COLUMNS)[number];

export type Row = Record<Column, string | number | null | undefined>;

/** Numeric columns (parsed back into numbers; empty → null). */
const NUMERIC: ReadonlySet<Column> = new Set<Column>([
  'dim', 'R', 'seed', 'width', 'depth', 'block', 'steps', 'points', 'micro_batches', 'it_per_s', 'step_ms_median', 'step_ms_p10',
  'step_ms_p90', 'steps_done', 'warmup_steps', 'timed_steps', 'peak_tensor_mb', 'rss_peak_mb', 'wasm_heap_mb', 'rel_l2_final', 'rel_l2_best', 'rel_l1_final',
  'rel_l1_best', 'params', 'wall_s',
]);

export interface ParsedRow {
  [k: string]: string | number | null;
}

/** Statuses of runs that ended (a diverged run ended: its loss left the finite range). */
export const FINISHED: ReadonlySet<string> = new Set<CellStatus>(['ok', 'diverged']);

/**
 * Rows whose timings are results: runs that ended, and runs stopped with a record (at their time
 * limit, or out of memory at a later step) that timed steps.
 */
export const hasTimedSteps = (r: ParsedRow): boolean =>
  FINISHED.has(String(r.status)) || ((r.status === 'timeout' || r.status === 'oom') && typeof r.steps_done === 'number'); // a crash's row has no steps_done

/** Appends (or, with flag 'w', writes) text and syncs it to disk before returning. */
function writeDurably(path: string, text: string, flag: 'a' | 'w' = 'a'): void {
  const fd = openSync(path, flag);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export function appendRow(path: string, row: Row): void {
  const header = !existsSync(path) || readFileSync(path).length === 0;
  const values = COLUMNS.map((c) => {
    const v = row[c];
    return v === null || v === undefined || (typeof v === 'number' && !Number.isFinite(v)) ? '' : v;
  });
  writeDurably(path, stringify([values], { header, columns: [...COLUMNS], record_delimiter: '\n' }));
}

/**
 * Brings a results CSV written with an older column set (every old column still among COLUMNS) to
 * COLUMNS, so a run can be resumed into it: rows keep their values, columns that were carried as labels
 * before (micro_batches=…, wasm_heap_mb=…) move out of `labels` into their own, the rest stay empty.
 * The new file replaces the old one only once it is written and synced. Returns the columns added
 * (none: already current); a column this version does not know is a usage error, and nothing changes.
 */
export function upgradeColumns(path: string): Column[] {
  const header = readFileSync(path, 'utf8').split('\n', 1)[0];
  if (!header || header === COLUMNS.join(',')) return [];
  const old = (parse(header) as string[][])[0];
  const unknown = old.filter((c) => !(COLUMNS as readonly string[]).includes(c));
  if (unknown.length) throw new UsageError(`${path} was written with other columns (${unknown.join(', ')}); cannot resume into it`);
  const added = COLUMNS.filter((c) => !old.includes(c));
  const records = parse(readFileSync(path), { columns: true, skip_empty_lines: true }) as Record<string, string>[];
  const rows = records.map((rec) => {
    const labels = (rec.labels ?? '').split('; ').filter((l) => l !== '');
    const fromLabels = new Map(labels.map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    const moved = added.filter((c) => fromLabels.has(c));
    const keptLabels = labels.filter((l) => !moved.includes(l.slice(0, l.indexOf('=')) as Column)).join('; ');
    return COLUMNS.map((c) => (c === 'labels' ? keptLabels : moved.includes(c) ? fromLabels.get(c)! : (rec[c] ?? '')));
  });
  const tmp = `${path}.upgrade`;
  writeDurably(tmp, stringify(rows, { header: true, columns: [...COLUMNS], record_delimiter: '\n' }), 'w');
  renameSync(tmp, path);
  return added;
}

/** The bytes of `buf` up to its last line end: what is left once a partial last line is dropped. */
const intactLength = (buf: Buffer): number => (buf.length === 0 || buf[buf.length - 1] === 0x0a ? buf.length : buf.lastIndexOf(0x0a) + 1);

/** Drops a trailing partial line (a write cut by kill -9); returns how many bytes were dropped. */
export function repairTail(path: string): number {
  if (!existsSync(path)) return 0;
  const buf = readFileSync(path);
  const keep = intactLength(buf);
  if (keep < buf.length) truncateSync(path, keep);
  return buf.length - keep;
}

/** The columns every reader needs: what identifies a cell, its status, and its speed. */
const REQUIRED: readonly Column[] = ['cell', 'pde', 'dim', 'estimator', 'R', 'seed', 'backend', 'steps', 'status', 'it_per_s'];

/**
 * Reads a results CSV written by appendRow (or any CSV with at least the REQUIRED columns). Given
 * `onPartial`, a last line without its line end (a run still writing it, or one stopped mid-row) is
 * left out and its byte count passed on, as `run --resume` drops it; without, it is parsed with the rest.
 */
export function readRows(path: string, onPartial?: (bytes: number) => void): ParsedRow[] {
  const buf = readFileSync(path);
  const kept = onPartial ? intactLength(buf) : buf.length;
  if (kept < buf.length) onPartial!(buf.length - kept);
  return parseRows(buf.subarray(0, kept), path);
}

/** What report and compare say of a partial last line they leave out: one line on stderr. */
export const notePartialLine = (path: string) => (bytes: number): void =>
  void process.stderr.write(`stde-bench: ${path}: left out a partial last line (${bytes} bytes; a run writing it, or one stopped mid-row, which run --resume drops)\n`);

/**
 * Refuses a file that is no results CSV, as `run --resume` would keep it: all but a torn last line,
 * which it drops (repairTail), so it is checked before anything changes.
 */
export function assertResultsCsv(path: string): void {
  const buf = readFileSync(path);
  const kept = intactLength(buf);
  // No line at all: the first write (header and row) was cut, or this is no results CSV.
  if (kept === 0 && buf.length && !`${COLUMNS.join(',')}\n`.startsWith(buf.toString())) throw new UsageError(`${path}: not a stde-bench results CSV (its one line is no header)`);
  parseRows(buf.subarray(0, kept), path);
}

function parseRows(text: Buffer, path: string): ParsedRow[] {
  let records: Record<string, string>[];
  try {
    records = parse(text, {
      columns: (header: string[]) => {
        const missing = REQUIRED.filter((c) => !header.includes(c));
        if (missing.length) throw new UsageError(`${path}: not a stde-bench results CSV (no ${missing.map((c) => `'${c}'`).join(', ')} column${missing.length > 1 ? 's' : ''})`);
        return header;
      },
      skip_empty_lines: true,
      relax_column_count: false,
    });
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`${path}: malformed CSV (${(e as Error).message.split('\n')[0]})`);
  }
  // Line numbers as an editor shows them: the header is line 1.
  return records.map((r, i) => {
    const at = `${path}, line ${i + 2}`;
    const out: ParsedRow = {};
    for (const [k, v] of Object.entries(r)) {
      if (NUMERIC.has(k as Column)) {
        const n = v === '' ? null : Number(v);
        if (n !== null && !Number.isFinite(n)) throw new UsageError(`${at}: column ${k} holds '${v}', not a finite number`);
        out[k] = n;
      } else out[k] = v;
    }
    // What compare and report decide on: a cell to match and a status they know.
    if (!out.cell) throw new UsageError(`${at}: empty cell id`);
    if (!(STATUSES as readonly string[]).includes(String(out.status))) throw new UsageError(`${at}: unknown status '${out.status}' (expected one of: ${STATUSES.join(', ')})`);
    if (out.dim != null && !(Number.isInteger(out.dim) && (out.dim as number) >= 1)) throw new UsageError(`${at}: dim must be an integer ≥ 1, got '${r.dim}'`);
    return out;
  });
}
