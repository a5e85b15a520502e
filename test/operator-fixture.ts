/** A small model and points file and a runner for `stde-bench operator`, shared by the CLI tests. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function operatorFixture(prefix: string) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
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
