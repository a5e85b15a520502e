/**
 * `stde-bench profile` end to end at toy sizes: profiled loss-and-gradient steps (or, with
 * --whole-step, a whole training step) by kernel (our directly called SIMD kernels as `simd:` rows), as a
 * table or one JSON record whose per-kernel counts add up to the kernel count; the data-fit floor
 * profiles too; bad input is one line and exit 2. (Times are not asserted: tests check behaviour.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { execa } from 'execa';

const bin = join(import.meta.dirname, '..', 'bin', 'stde-bench.mjs');
const cli = (...args: string[]) => execa(process.execPath, [bin, ...args], { reject: false, env: { FORCE_COLOR: '0' } });
const toy = ['--pde', 'allen-cahn-two-body', '--dim', '20', '--R', '4', '--width', '16', '--points', '8'];

test('profile --json: the kernels by name add up to the step, with the products among them', async () => {
  for (const estimator of ['stde-sparse', 'none']) {
    const r = await cli('profile', ...toy, '--estimator', estimator, '--json');
    assert.equal(r.exitCode, 0, r.stderr);
    const rec = JSON.parse(String(r.stdout).trim().split('\n').pop()!);
    assert.equal(rec.estimator, estimator);
    assert.equal(rec.backend, 'wasm');
    assert.equal(rec.dispatches, null); // counted on webgpu only
    assert.ok(rec.kernels > 0 && rec.wall_ms > 0, JSON.stringify(rec));
    assert.equal(rec.by_kernel.reduce((a: number, k: { count: number }) => a + k.count, 0), rec.kernels);
    assert.ok(rec.by_kernel.some((k: { kernel: string }) => k.kernel === 'BatchMatMul'));
    const summed = rec.by_kernel.reduce((a: number, k: { ms: number }) => a + k.ms, 0);
    assert.ok(Math.abs(summed - rec.kernel_ms) < 1e-6 * Math.max(1, rec.kernel_ms), `${summed} vs ${rec.kernel_ms}`);
    // Five profiled calls by default; the split shown is the one whose share is their median.
    assert.equal(rec.kernel_shares.length, 5);
    assert.equal(rec.kernel_share, [...rec.kernel_shares].sort((a: number, b: number) => a - b)[2]);
    assert.equal(rec.kernel_share, rec.kernel_ms / rec.wall_ms);
  }
  const one = JSON.parse(String((await cli('profile', ...toy, '--calls', '1', '--json')).stdout).trim().split('\n').pop()!);
  assert.deepEqual(one.kernel_shares, [one.kernel_share]);
  const bad = await cli('profile', ...toy, '--calls', '0');
  assert.equal(bad.exitCode, 2);
  assert.match(bad.stderr.trim(), /^stde-bench: --calls must be ≥ 1, got 0$/);
});

test('profile --whole-step: the training step as train runs it, drawing points and Adam included', async () => {
  const [part, whole] = await Promise.all([cli('profile', ...toy, '--json'), cli('profile', ...toy, '--whole-step', '--json')]);
  assert.equal(whole.exitCode, 0, whole.stderr);
  const [p, w] = [part, whole].map((r) => JSON.parse(String(r.stdout).trim().split('\n').pop()!));
  assert.equal(p.scope, 'loss-and-gradient');
  assert.equal(w.scope, 'step');
  const has = (rec: { by_kernel: { kernel: string }[] }, k: string) => rec.by_kernel.some((x) => x.kernel === k);
  assert.ok(w.kernels > p.kernels, `${w.kernels} vs ${p.kernels} kernels`);
  // Adam and the normals are our SIMD kernels, called directly: counted as `simd:` rows (tf.profile cannot see them).
  assert.ok(has(w, 'simd:adam') && !has(p, 'simd:adam'), 'Adam is in the whole step only');
  assert.ok(has(w, 'simd:threefry_normal') && !has(p, 'simd:threefry_normal'), 'so is drawing the points');
  const table = await cli('profile', ...toy, '--whole-step', '--top', '2');
  assert.match(String(table.stdout), /one training step \(points, source, loss, gradient, Adam\): [\d.]+ ms wall/);
});

test('profile --micro-batches splits the step as train does; without --whole-step it profiles one micro-batch', async () => {
  const count = (rec: { by_kernel: { kernel: string; count: number }[] }, k: string) => rec.by_kernel.find((x) => x.kernel === k)?.count ?? 0;
  const runs = await Promise.all([[], ['--micro-batches', '2']].map((more) => cli('profile', ...toy, '--whole-step', '--json', ...more)));
  const [one, two] = runs.map((r) => {
    assert.equal(r.exitCode, 0, r.stderr);
    return JSON.parse(String(r.stdout).trim().split('\n').pop()!);
  });
  assert.equal(one.micro_batches, 1);
  assert.equal(two.micro_batches, 2);
  assert.equal(count(two, 'simd:threefry_normal'), 2 * count(one, 'simd:threefry_normal')); // each micro-batch draws its points
  assert.equal(count(two, 'simd:adam'), count(one, 'simd:adam')); // one update of the summed gradient
  const part = await cli('profile', ...toy, '--micro-batches', '4', '--top', '1');
  assert.match(String(part.stdout), /^one loss \+ parameter gradient \(one of 4 micro-batches, 2 points\): /m);
  // One micro-batch's loss and gradient holds a quarter of the points and their jets.
  const [whole, quarter] = await Promise.all([[], ['--micro-batches', '4']].map(async (more) => JSON.parse(String((await cli('profile', ...toy, '--json', ...more)).stdout).trim().split('\n').pop()!)));
  assert.ok(quarter.peak_bytes > 0 && quarter.peak_bytes < whole.peak_bytes, `peak ${quarter.peak_bytes} vs ${whole.peak_bytes} bytes`);
});

test('profile prints a table of the top kernels and says how many it left out', async () => {
  const r = await cli('profile', ...toy, '--top', '3');
  assert.equal(r.exitCode, 0, r.stderr);
  const lines = String(r.stdout).trim().split('\n');
  assert.match(lines[0], /^allen-cahn-two-body d=20 stde-sparse R=4 N=8 on wasm$/);
  assert.match(lines[1], /^one loss \+ parameter gradient: [\d.]+ ms wall, \d+ kernels, [\d.]+ ms in kernels \(share [\d.]+, the median of 5 calls: [\d.]+(, [\d.]+){4}\)$/);
  assert.match(lines[2], /kernel\s+count\s+ms/);
  assert.equal(lines.length, 3 + 3 + 1);
  const [, names, left] = /^\s+\((\d+) more kernel names, (\d+) kernels\)$/.exec(lines[6]) ?? [];
  assert.ok(names, lines[6]);
  // The kernels left out are the total less the listed rows' counts (not the number of names).
  const total = Number(/, (\d+) kernels,/.exec(lines[1])![1]);
  const listed = lines.slice(3, 6).reduce((a, l) => a + Number(l.trim().split(/\s+/)[1]), 0);
  assert.equal(Number(left), total - listed, lines.join('\n'));
  assert.ok(Number(left) > Number(names), 'some kernel runs more than once a step');
});

test('profile: bad input is one line and exit 2', async () => {
  // Each with the message it must give (matched against the one line).
  const cases: [string[], RegExp][] = [
    [['--pde', 'nope', '--dim', '10'], /unknown PDE 'nope' \(expected one of: /],
    [['--pde', 'allen-cahn-two-body', '--dim', '10', '--R', '20'], /R = 20 exceeds the dimension d = 10/],
    [['--pde', 'allen-cahn-two-body', '--dim', '0'], /--dim must be ≥ 1, got 0/],
    [['--pde', 'allen-cahn-two-body', '--dim', '10', '--estimator', 'bogus'], /unknown estimator 'bogus' \(expected one of: stde-sparse, /],
    [['--pde', 'allen-cahn-two-body', '--dim', '10', '--backend', 'nope'], /unknown backend 'nope' \(expected one of: wasm, /],
    // --dist as train takes it: for the estimators that draw probes only.
    [[...toy, '--estimator', 'stde-sparse', '--dist', 'gaussian'], /--dist applies to the estimators that draw probes \(stde-dense, stde-collapsed-dense\), not stde-sparse$/],
    // The record lists every kernel name: --top, the table's length, would be dropped without a word.
    [[...toy, '--json', '--top', '2'], /--top does nothing with --json: the record lists every kernel name/],
    // Does not divide 8 points.
    [[...toy, '--micro-batches', '3'], /3 micro-batches must divide the points \(8\) and boundary points \(0\) evenly/],
    // Past the WASM heap inside a kernel (the jets of 2·10⁶ points in one batch, given: no retry in
    // more micro-batches): the guard's refusal, one line.
    [
      ['--pde', 'allen-cahn-two-body', '--dim', '10', '--estimator', 'stde-sparse', '--R', '10', '--width', '16', '--points', '2000000', '--micro-batches', '1'],
      /out of memory: WASM allocation of \d+ MB would end at [\d.]+ GiB, past the 1\.88 GiB allocations may reach \(tfjs-backend-wasm handles 2 GiB correctly, less 128 MiB for the heap's growth\)/,
    ],
  ];
  for (const [args, message] of cases) {
    const r = await cli('profile', ...args);
    assert.equal(r.exitCode, 2, `${args.join(' ')}: ${r.stderr}`);
    const lines = String(r.stderr).trim().split('\n');
    assert.equal(lines.length, 1, `${args.join(' ')}: ${r.stderr}`);
    assert.match(lines[0], /^stde-bench: /, args.join(' '));
    assert.match(lines[0], message, args.join(' '));
  }
});
