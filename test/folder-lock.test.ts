/** The results folder's lock (benchmarks/runner/folder-lock.ts): who holds it, and when it is stale. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lockFolder, LOCK_FILE } from '../benchmarks/runner/folder-lock.ts';
import { UsageError } from '../engine/errors.ts';
import { tempDir } from './temp-dirs.ts';
import { sleeper } from './sleeper.ts';

test('a free folder is locked with this pid, and released', () => {
  const dir = tempDir('lock-');
  const release = lockFolder(dir);
  assert.equal(readFileSync(join(dir, LOCK_FILE), 'utf8'), String(process.pid));
  release();
  assert.ok(!existsSync(join(dir, LOCK_FILE)));
  lockFolder(dir)(); // and taken again
});

test('a lock held by a running stde-bench is refused with one line naming its pid', (t) => {
  const dir = tempDir('lock-');
  const pid = sleeper(t, true);
  writeFileSync(join(dir, LOCK_FILE), String(pid));
  assert.throws(() => lockFolder(dir), (e) => e instanceof UsageError && new RegExp(`being written by another stde-bench run or targets \\(pid ${pid}\\)`).test(e.message) && !e.message.includes('\n'));
  assert.equal(readFileSync(join(dir, LOCK_FILE), 'utf8'), String(pid), 'left as it was');
});

test('a stale lock is taken over: its process gone, its pid now another program, or no pid in it', (t) => {
  const dir = tempDir('lock-');
  const gone = 2 ** 22 + 12345; // above Linux's pid_max default: no such process
  const other = sleeper(t, false);
  for (const text of [String(gone), String(other), '', 'garbage']) {
    writeFileSync(join(dir, LOCK_FILE), text);
    const release = lockFolder(dir);
    assert.equal(readFileSync(join(dir, LOCK_FILE), 'utf8'), String(process.pid), `over '${text}'`);
    release();
  }
});

test("a lock that cannot be read is refused, naming it; release leaves another process's lock alone", () => {
  const dir = tempDir('lock-');
  mkdirSync(join(dir, LOCK_FILE));
  assert.throws(() => lockFolder(dir), (e) => e instanceof UsageError && /cannot read the lock .*\.run\.lock \(EISDIR\)/.test(e.message));
  const other = tempDir('lock-');
  const release = lockFolder(other);
  writeFileSync(join(other, LOCK_FILE), '999999'); // taken over meanwhile, as by a run that found this one stale
  release();
  assert.equal(readFileSync(join(other, LOCK_FILE), 'utf8'), '999999');
});

test('a takeover held by a killed run is cleared; one held by a running stde-bench leaves the stale lock in place', (t) => {
  const dir = tempDir('lock-');
  const gone = 2 ** 22 + 12345;
  writeFileSync(join(dir, LOCK_FILE), String(gone));
  writeFileSync(join(dir, `${LOCK_FILE}.takeover`), String(gone));
  lockFolder(dir)();
  assert.ok(!existsSync(join(dir, `${LOCK_FILE}.takeover`)));
  writeFileSync(join(dir, LOCK_FILE), String(gone));
  writeFileSync(join(dir, `${LOCK_FILE}.takeover`), String(sleeper(t, true)));
  assert.throws(() => lockFolder(dir), (e) => e instanceof UsageError && /kept changing hands/.test(e.message));
  assert.equal(readFileSync(join(dir, LOCK_FILE), 'utf8'), String(gone), 'not removed without the takeover lock');
});

test('runs that find the same stale lock at once: exactly one of them gets the folder', async (t) => {
  const contenders = Array.from({ length: 4 }, () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/lock-contender.ts', 'stde-bench'], { stdio: ['pipe', 'pipe', 'inherit'] });
    t.after(() => child.kill('SIGKILL'));
    const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
    const say = async (line: string) => {
      child.stdin!.write(`${line}\n`);
      return (await lines.next()).value as string;
    };
    return { child, lines, say };
  });
  for (const c of contenders) assert.equal((await c.lines.next()).value, 'ready');
  for (let round = 0; round < 5; round++) {
    const dir = tempDir('lock-race-');
    writeFileSync(join(dir, LOCK_FILE), String(2 ** 22 + 12345)); // a killed run's
    const at = Date.now() + 300;
    const answers = await Promise.all(contenders.map((c) => c.say(`${dir}\t${at}`)));
    assert.equal(answers.filter((a) => a === 'got').length, 1, `round ${round}: ${answers.join(', ')}`);
    assert.equal(answers.filter((a) => a === 'refused').length, contenders.length - 1, `round ${round}: ${answers.join(', ')}`);
    for (const c of contenders) assert.equal(await c.say('release'), 'released');
    assert.deepEqual(readdirSync(dir), [], 'no lock, takeover or temporary file is left');
  }
  for (const c of contenders) {
    c.child.stdin!.end();
    await once(c.child, 'exit');
  }
});
