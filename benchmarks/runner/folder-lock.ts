/**
 * One run writes into a results folder at a time. A second one there (`npm run quick` started twice)
 * would run the same cells again and append their rows twice, time both runs on the same cores, and
 * its --resume clean-up would kill the first one's cell, which the first then records as killed by
 * the OOM killer. The lock is a file holding the writer's pid, made whole under another name and
 * linked into place (atomic: no reader sees it empty); a lock whose process is gone, or is no
 * stde-bench (its pid reused), is stale and taken over.
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

/** Takes the folder's lock, or refuses with one line; returns its release. */
export function lockFolder(dir: string): () => void {
  const path = join(dir, LOCK_FILE);
  const mine = `${path}.${process.pid}.tmp`;
  writeFileSync(mine, String(process.pid));
  let linkCode = '';
  try {
    for (let round = 0; ; round++) {
      try {
        if (NO_LINKS.has(linkCode)) writeFileSync(path, String(process.pid), { flag: 'wx' });
        else linkSync(mine, path);
        break;
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code ?? '';
        if (NO_LINKS.has(code) && !NO_LINKS.has(linkCode)) {
          linkCode = code; // a file system without hard links: made in place, read as stale while empty
          continue;
        }
        if (code !== 'EEXIST' || round >= 100) throw new UsageError(`cannot lock ${dir} (${code})`);
      }
      const pid = holderOf(path);
      if (pid === undefined) continue; // released meanwhile
      if (pid > 0 && pid !== process.pid && holds(pid)) {
        throw new UsageError(`${dir} is being written by another run (pid ${pid}); wait for it to end or choose another --out (if no run writes there, remove ${path})`);
      }
      rmSync(path, { force: true }); // stale: its run was killed
    }
  } finally {
    rmSync(mine, { force: true });
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
