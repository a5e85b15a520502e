/**
 * A process that contends for a folder's lock when told (folder-lock.test.ts): each stdin line is a
 * folder and the time (ms since the epoch) to lock it at, so that all contenders try at once, or
 * 'release'; it answers 'got', 'refused' (one line of usage error) or 'error: …' per folder. Its command line
 * names stde-bench (an argument), so that its lock counts as a run's.
 */
import { createInterface } from 'node:readline';
import { lockFolder } from '../benchmarks/runner/folder-lock.ts';
import { UsageError } from '../engine/errors.ts';

let release: (() => void) | undefined;
console.log('ready');
for await (const line of createInterface({ input: process.stdin })) {
  if (line === 'release') {
    release?.();
    release = undefined;
    console.log('released');
    continue;
  }
  const [dir, at] = line.split('\t');
  while (Date.now() < Number(at)); // a busy wait: a timer would be late by more than the race lasts
  try {
    release = lockFolder(dir);
    console.log('got');
  } catch (e) {
    console.log(e instanceof UsageError ? 'refused' : `error: ${String(e).split('\n')[0]}`); // a crash is no refusal
  }
}
