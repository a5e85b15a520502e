/**
 * One run writes into a results folder at a time. A second one there (`npm run quick` started twice)
 * would run the same cells again and append their rows twice, time both runs on the same cores, and
 * its --resume clean-up would kill the first one's cell, which the first then records as killed by
 * the OOM killer. The lock is a file holding the writer's pid, made whole under another name and
 * linked into place (atomic: no reader sees it empty); a lock whose process is gone, or is no
 * stde-bench (its pid reused), is stale and taken over. Taking over is remove-then-link, so two runs
 * that found the same stale lock would both get the folder (one removing the other's new lock): a
 * takeover therefore first holds a second lock file, made the same way, and removes the stale lock only
 * if it still names the same dead process.
 */
import { linkSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../../engine/errors.ts';

export const LOCK_FILE = '.run.lock';

/** A process's command line, as /proc gives it; undefined where it is gone or there is no /proc. */
export function commandLineOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return undefined;
  }
}

/** Whether this pid is a running stde-bench process (where /proc says what runs; else any process). */
function holds(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return commandLineOf(pid)?.includes('stde-bench') ?? true; // no /proc: alive is all we know
}

/** The pid a lock file holds (0: none readable as one); undefined where it went away meanwhile. */
function holderOf(path: string): number | undefined {
  try {
    return Number(readFileSync(path, 'utf8')) || 0;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw new UsageError(`cannot read the lock ${path} (${code}); remove it if no run writes into its folder`);
  }
}

const NO_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP']);

const pause = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** A lock file in the making: this process's pid under a name of its own, linked to where it locks. */
class LockFile {
  private readonly mine: string;
  private linkCode = '';

  constructor(path: string) {
    this.mine = `${path}.${process.pid}.tmp`;
    writeFileSync(this.mine, String(process.pid));
  }

  /** Puts this pid at `path`: true, or false where a file is there already. */
  place(path: string): boolean {
    for (;;) {
      try {
        if (NO_LINKS.has(this.linkCode)) writeFileSync(path, String(process.pid), { flag: 'wx' });
        else linkSync(this.mine, path);
        return true;
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code ?? '';
        if (code === 'EEXIST') return false;
        if (!NO_LINKS.has(code) || NO_LINKS.has(this.linkCode)) throw new UsageError(`cannot lock ${path} (${code})`);
        this.linkCode = code; // a file system without hard links: made in place, empty for a moment
      }
    }
  }

  dispose(): void {
    rmSync(this.mine, { force: true });
  }
}

/**
 * The pid a lock names once it has had time to be written (0: none, after a pause: one made in place
 * is empty between its creation and its write); undefined where it went away.
 */
function settledHolderOf(path: string): number | undefined {
  const pid = holderOf(path);
  if (pid !== 0) return pid;
  pause(20);
  return holderOf(path);
}

/** Takes the folder's lock, or refuses with one line; returns its release. */
export function lockFolder(dir: string): () => void {
  const path = join(dir, LOCK_FILE);
  const takeover = `${path}.takeover`;
  const lock = new LockFile(path);
  try {
    for (let round = 0; !lock.place(path); round++) {
      if (round >= 100) throw new UsageError(`cannot lock ${dir}: its lock kept changing hands, or ${takeover} stayed held; try again (if no run writes there, remove both)`);
      const pid = settledHolderOf(path);
      if (pid === undefined) continue; // released meanwhile
      if (pid > 0 && pid !== process.pid && holds(pid)) {
        throw new UsageError(`${dir} is being written by another stde-bench run or targets (pid ${pid}); wait for it to end or choose another --out (if none writes there, remove ${path})`);
      }
      // Stale: its run was killed. Removed only under the takeover lock, and only if unchanged.
      if (!lock.place(takeover)) {
        const taker = settledHolderOf(takeover);
        // Its taker was killed mid-way (this pid: a taker of old whose pid came round again). Removing it is
        // check-then-remove, so two runs that both find it so could still both take over: that needs a
        // run killed within the takeover's millisecond, and another two starting at once after it.
        if (taker !== undefined && (taker <= 0 || taker === process.pid || !holds(taker))) rmSync(takeover, { force: true });
        else pause(10);
        continue;
      }
      try {
        if (settledHolderOf(path) === pid) rmSync(path, { force: true });
      } finally {
        rmSync(takeover, { force: true });
      }
    }
  } finally {
    lock.dispose();
  }
  // Removes the lock only while it is still this process's.
  const release = () => {
    try {
      if (holderOf(path) === process.pid) rmSync(path, { force: true });
    } catch {
      // unreadable now: left for the next run's check
    }
  };
  process.once('exit', release); // an exception or process.exit before the caller's release
  return () => {
    process.removeListener('exit', release);
    release();
  };
}
