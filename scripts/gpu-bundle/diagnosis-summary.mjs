// The summary diagnose.sh prints from the JSON records in OUT_DIR (argument): the cell's steps per
// second with one step in flight and with a read-back after every step, and the profiled step's
// wall and kernel time, kernel and dispatch counts, and its costliest kernels.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2];
const read = (name) => {
  const file = join(dir, `${name}.json`);
  if (!existsSync(file)) return null;
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  try {
    return JSON.parse(lines[lines.length - 1]);
  } catch {
    return null;
  }
};
const ms = (v) => `${Number(v).toFixed(1)} ms`;
const train = (label, r) =>
  r && r.status === 'ok'
    ? `${label}: ${Number(r.it_per_s).toFixed(1)} it/s (median step ${ms(r.step_ms_median)}; p10 ${ms(r.step_ms_p10)}, p90 ${ms(r.step_ms_p90)}; ${r.timed_steps} timed steps)`
    : `${label}: no result${r ? ` (${r.status}: ${r.message})` : ''}`;

const a = read('train');
const b = read('train-sync-steps');
const p = read('profile-step');
const cell = a ?? b ?? p;
const out = [];
if (cell) out.push(`cell: ${cell.pde} d=${cell.dim} ${cell.estimator} R=${cell.R}, ${cell.points} points${a ? `, ${a.steps} steps` : ''}, backend ${cell.backend}`);
out.push(train('one step in flight (as run-table3 times it)', a));
out.push(train('loss read back after every step (--sync-steps)', b));
if (p) {
  out.push(
    `one whole step profiled: ${ms(p.wall_ms)} wall, ${ms(p.kernel_ms)} in kernels (share ${p.kernel_share.toFixed(2)}), ` +
      `${p.kernels} kernels, ${p.dispatches ?? 'n/a'} dispatches`,
  );
  for (const k of p.by_kernel.slice(0, 15)) out.push(`  ${k.kernel.padEnd(28)} ${String(k.count).padStart(5)} ${k.ms.toFixed(2).padStart(9)} ms`);
} else out.push('one whole step profiled: no result');
console.log(out.join('\n'));
