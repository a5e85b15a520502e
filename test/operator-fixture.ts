/** A small model and points file and a runner for `stde-bench operator`, shared by the CLI tests. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './temp-dirs.ts';

export function operatorFixture(prefix: string) {
  const dir = tempDir(prefix);
  const file = (name: string, content: unknown) => {
    const p = join(dir, name);
    writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content));
    return p;
  };
  const model = file('model.json', {
    activation: 'tanh',
    layers: [
      { weight: [[0.1, 0.2, 0.3], [0.4, -0.5, 0.6], [0.7, 0.8, -0.9]], bias: [0.1, 0, -0.1] },
      { weight: [[1], [-1], [0.5]], bias: [0.2] },
    ],
  });
  const points = file('points.json', [[0.1, 0.2, 0.3], [-0.5, 0.4, 0.1]]);
  const bin = join(import.meta.dirname, '..', 'bin', 'stde-bench.mjs');
  const run = (...args: string[]) => spawnSync(process.execPath, [bin, 'operator', ...args], { encoding: 'utf8' });
  return { dir, file, model, points, bin, run };
}

/** A usage error: exit 2, nothing on stdout, exactly one line on stderr matching `pattern`. */
export function assertUsageError(r: { status: number | null; stdout: string; stderr: string }, pattern: RegExp): void {
  assert.equal(r.status, 2, `exit ${r.status}: ${r.stderr}`);
  assert.equal(r.stdout, '');
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0], pattern);
}
