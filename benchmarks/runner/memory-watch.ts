/**
 * The per-cell memory cap: polls the resident memory of a child process and its descendants and
 * calls `onExceeded` once it passes the cap. Works as root in a container without cgroups or prlimit
 * (a plain RLIMIT_AS would break the WASM backend, which reserves a large address space up front).
 * Linux: /proc/PID/status (VmRSS, VmHWM). Elsewhere: `ps -o rss=`.
 */
import { readFile, readdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);
const HAS_PROC = existsSync('/proc/self/status');

async function procKb(pid: number, field: 'VmRSS' | 'VmHWM'): Promise<number> {
  try {
    const s = await readFile(`/proc/${pid}/status`, 'utf8');
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(s);
    return m ? Number(m[1]) : 0;
  } catch {
    return 0; // the process is gone
  }
}

async function children(pid: number): Promise<number[]> {
  try {
    const tasks = await readdir(`/proc/${pid}/task`);
    const lists = await Promise.all(tasks.map((t) => readFile(`/proc/${pid}/task/${t}/children`, 'utf8').catch(() => '')));
    return lists.join(' ').split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

async function tree(pid: number): Promise<number[]> {
  const all = [pid];
  for (let i = 0; i < all.length && all.length < 64; i++) all.push(...(await children(all[i])));
  return all;
}

export interface MemorySample {
  /** Current resident set of the process tree, MB. */
  rssMb: number;
  /** Highest resident set seen (kernel high-water marks where available), MB. */
  peakMb: number;
}

async function sampleMemory(pid: number): Promise<MemorySample> {
  if (HAS_PROC) {
    const pids = await tree(pid);
    const rss = await Promise.all(pids.map((p) => procKb(p, 'VmRSS')));
    const hwm = await Promise.all(pids.map((p) => procKb(p, 'VmHWM')));
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / 1024;
    return { rssMb: sum(rss), peakMb: Math.max(sum(rss), sum(hwm)) };
  }
  try {
    const { stdout } = await run('ps', ['-o', 'rss=', '-p', String(pid)]);
    const mb = Number(stdout.trim()) / 1024 || 0;
    return { rssMb: mb, peakMb: mb };
  } catch {
    return { rssMb: 0, peakMb: 0 };
  }
}

export const MEMORY_WATCH_PROBE = HAS_PROC
  ? 'runner poll of /proc VmHWM (process tree, every 100 ms)'
  : 'runner poll of ps rss (every 100 ms)';

export class MemoryWatch {
  peakMb = 0;
  exceeded = false;
  private timer?: NodeJS.Timeout;
  private busy = false;

  constructor(
    private readonly pid: number,
    private readonly capMb: number | undefined,
    private readonly onExceeded: () => void,
    private readonly intervalMs = 100,
  ) {}

  start(): this {
    const tick = async () => {
      if (this.busy) return;
      this.busy = true;
      try {
        const s = await sampleMemory(this.pid);
        this.peakMb = Math.max(this.peakMb, s.peakMb);
        if (this.capMb !== undefined && s.rssMb > this.capMb && !this.exceeded) {
          this.exceeded = true;
          this.onExceeded();
        }
      } finally {
        this.busy = false;
      }
    };
    void tick();
    this.timer = setInterval(() => void tick(), this.intervalMs);
    return this;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
