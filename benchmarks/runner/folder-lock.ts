/**
 * One run writes into a results folder at a time. A second one there (`npm run quick` started twice)
 * would run the same cells again and append their rows twice, time both runs on the same cores, and
 * its --resume clean-up would kill the first one's cell, which the first then records as killed by
 * the OOM killer. The lock is a file made with O_EXCL that holds the writer's pid; a lock whose
 * process is gone (a run killed with -9) is stale and taken over.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../../engine/errors.ts';

export const LOCK_FILE = '.run.lock';

/** Whether a process with this pid exists (EPERM: it does, owned by someone else). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the folder's lock, or refuses with one line; returns its release. */
export function lockFolder(dir: string): () => void {
  const path = join(dir, LOCK_FILE);
  for (;;) {
    try {
      writeFileSync(path, String(process.pid), { flag: 'wx' });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    let pid = 0;
    try {
      pid = Number(readFileSync(path, 'utf8'));
    } catch {
      continue; // released between the two calls: try again
    }
    if (pid > 0 && pid !== process.pid && alive(pid)) {
      throw new UsageError(`${dir} is being written by another run (pid ${pid}); wait for it to end or choose another --out (if no run writes there, remove ${path})`);
    }
    rmSync(path, { force: true }); // stale: its run was killed
  }
  const release = () => rmSync(path, { force: true });
  process.once('exit', release); // an exception or process.exit before the caller's release
  return () => {
    process.removeListener('exit', release);
    release();
  };
}
