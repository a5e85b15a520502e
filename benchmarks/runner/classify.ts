/**
 * How a finished child process becomes a status. A cell that ran out of memory — over the runner's
 * cap, killed by the kernel, or dead with a WASM/V8 allocation failure — is `oom`, like the paper's
 * OOM cells; past the time limit is `timeout`; any other crash is `error`; a train record passes its
 * own status (`ok`, `diverged`, `timeout` when it stopped at its --time-limit, timed, or `oom` when a
 * step after the first ran out of memory, with the steps before it timed) through.
 * runChild runs a measurement's child (targets, bench-operators) and reads its record the same way.
 */
import { execa } from 'execa';
import type { CellStatus } from './csv-store.ts';
import { RECORD_STATUSES, type RecordStatus } from '../training/record.ts';

export interface ChildOutcome {
  exitCode?: number;
  signal?: string;
  timedOut: boolean;
  /** The runner killed it for exceeding the memory cap. */
  overMemoryCap: boolean;
  stdout: string;
  stderr: string;
}

/** The outcome of a child run with execa (`reject: false`), as classify takes it. */
export function outcomeOf(
  r: { exitCode?: number; signal?: string | null; timedOut?: boolean; stdout?: unknown; stderr?: unknown },
  overMemoryCap = false,
): ChildOutcome {
  return {
    exitCode: r.exitCode,
    signal: r.signal ?? undefined,
    timedOut: Boolean(r.timedOut),
    overMemoryCap,
    stdout: String(r.stdout ?? ''),
    stderr: String(r.stderr ?? ''),
  };
}

export interface ChildVerdict {
  status: CellStatus;
  message: string;
  record?: Record<string, unknown>;
}

/** What a WASM heap exhaustion or a V8/allocator failure prints, or a run refused up front for it. */
const OOM_PATTERNS = [
  /\bAborted\(\)/,
  /out of memory/i,
  /impossible memory/i,
  /XNN status .* status 6/,
  /Cannot enlarge memory/i,
  /Array buffer allocation failed/i,
  /WebAssembly\.Memory\(\): could not allocate/i,
  /RangeError: .*(allocation|Invalid typed array length|Invalid array buffer length)/i,
  /JavaScript heap out of memory/i,
  /\bENOMEM\b/,
  /larger than the maximum storage buffer binding size/i, // webgpu: a tensor larger than one binding
  /std::bad_alloc/,
];

const looksLikeOom = (text: string): boolean => OOM_PATTERNS.some((p) => p.test(text));

/** The last non-empty line of some text, trimmed to one short line for the CSV's message column. */
function lastLine(text: string, max = 300): string {
  const lines = text.split(/\r?\n/).map((l) => l.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').trim()).filter(Boolean);
  const line = lines.at(-1) ?? '';
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** The train record: the last stdout line that parses as a JSON object. */
export function parseRecord(stdout: string): Record<string, unknown> | undefined {
  const lines = stdout.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  for (let i = lines.length - 1; i >= 0; i--) {
    if (!lines[i].startsWith('{')) continue;
    try {
      const v = JSON.parse(lines[i]) as unknown;
      if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
    } catch {
      /* not JSON: keep looking */
    }
  }
  return undefined;
}

function oomLine(stderr: string): string {
  const hit = stderr.split(/\r?\n/).find((l) => looksLikeOom(l));
  return lastLine(hit ?? stderr);
}

export function classify(o: ChildOutcome, capMb?: number): ChildVerdict {
  if (o.overMemoryCap) return { status: 'oom', message: `resident memory exceeded the cap of ${capMb} MB; killed` };
  if (o.timedOut) return { status: 'timeout', message: 'exceeded the time limit; killed' };
  if (o.exitCode === 0) {
    const record = parseRecord(o.stdout);
    if (!record) return { status: 'error', message: `exit 0 but no JSON record on stdout: ${lastLine(o.stderr || o.stdout)}` };
    const s = record.status;
    if ((RECORD_STATUSES as readonly unknown[]).includes(s)) return { status: s as RecordStatus, message: typeof record.message === 'string' ? record.message : '', record };
    return { status: 'error', message: `train record has unknown status '${String(s)}'`, record };
  }
  if (looksLikeOom(o.stderr)) return { status: 'oom', message: oomLine(o.stderr) };
  // The kernel's OOM killer sends SIGKILL; nothing else here does (the runner's own kills are flagged above).
  if (o.signal === 'SIGKILL') return { status: 'oom', message: 'killed by SIGKILL (the kernel OOM killer?)' };
  const why = o.signal ? `killed by ${o.signal}` : `exit code ${o.exitCode}`;
  const line = lastLine(o.stderr);
  return { status: 'error', message: line ? `${why}: ${line}` : why };
}

/** A child's JSON record, or why there is none: the status and message classify gives it. */
export type ChildRun = { ok: true; record: Record<string, unknown> } | { ok: false; status: CellStatus; message: string };

/**
 * Runs `node <argv>` (for a stde-bench command: execute-cell.ts's BIN first) under a time limit and
 * reads its record as the runner does: the last stdout line that is a JSON object, so a warning
 * printed after it is no crash. The record's own status is the caller's to read (a train record may
 * say diverged; a profile record has none); only a child that ended without one is a failure.
 */
export async function runChild(argv: string[], { timeoutS }: { timeoutS: number }): Promise<ChildRun> {
  const r = await execa(process.execPath, argv, { reject: false, timeout: timeoutS * 1000 });
  const record = r.exitCode === 0 && !r.timedOut ? parseRecord(String(r.stdout)) : undefined;
  if (record) return { ok: true, record };
  const v = classify(outcomeOf(r));
  return { ok: false, status: v.status, message: v.message };
}
