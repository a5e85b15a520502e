/** `stde-bench train` and `list` from the command line: the JSON record, and bad input → one line, exit 2. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { Command } from 'commander';
import { resolveRun } from '../benchmarks/training/run-config.ts';
import { PDES } from '../benchmarks/pdes/registry.ts';
import { loadReference } from '../report/reference.ts';
import { UsageError } from '../engine/errors.ts';
import { tempDir } from './temp-dirs.ts';
import { NOT_LABELS } from '../benchmarks/runner/execute-cell.ts';
import { backendOption, runChoiceOptions, runRequestOf, type RunChoiceOpts } from '../cli/options.ts';

const bin = join(import.meta.dirname, '..', 'bin', 'stde-bench.mjs');
const cli = (...args: string[]) => execa(process.execPath, [bin, ...args], { reject: false, env: { FORCE_COLOR: '0' } });

const CONTRACT = [
  'pde', 'dim', 'estimator', 'R', 'seed', 'backend', 'steps', 'width', 'depth', 'block', 'points', 'it_per_s',
  'step_ms_median', 'step_ms_p10', 'step_ms_p90', 'step_ms', 'peak_tensor_mb', 'memory_probe', 'rss_peak_mb',
  'rel_l2_final', 'rel_l2_best', 'rel_l1_final', 'rel_l1_best', 'evals', 'status', 'wall_s', 'message',
];

test('train --json prints one record as the last stdout line, with every contract field', async () => {
  const r = await cli('train', '--pde', 'poisson-two-body', '--dim', '4', '--steps', '20', '--width', '8', '--test-points', '200', '--eval-every', '10', '--json');
  assert.equal(r.exitCode, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  const rec = JSON.parse(lines[lines.length - 1]);
  for (const k of CONTRACT) assert.ok(k in rec, `missing ${k}`);
  assert.equal(rec.status, 'ok');
  assert.equal(rec.backend, 'wasm');
  assert.equal(rec.R, 4); // default R = min(16, d)
  assert.deepEqual(rec.evals.map((e: { step: number }) => e.step), [10, 20]);
  assert.equal(rec.step_ms.length, rec.timed_steps);
  // docs/train-contract.md's table names every field of the record, and only those; the rest are string labels.
  const doc = readFileSync(join(import.meta.dirname, '..', 'docs', 'train-contract.md'), 'utf8');
  const documented = doc.split('\n').filter((l) => l.startsWith('| `')).flatMap((l) => [...l.split(' | ')[0].matchAll(/`(\w+)`/g)].map((m) => m[1]));
  assert.deepEqual(documented.filter((k) => !(k in rec)), [], 'documented, not in the record');
  assert.deepEqual(Object.keys(rec).filter((k) => !documented.includes(k) && typeof rec[k] !== 'string'), [], 'in the record, not documented');
  assert.ok(CONTRACT.every((k) => documented.includes(k)));
  // The runner's CSV takes each documented field as a column or diagnostic, or, for these three, as a label:
  // a field added to the record and its contract but not to NOT_LABELS would land in every row's labels.
  const asLabels = ['dist', 'sharing', 'loss'];
  assert.deepEqual(documented.filter((k) => !NOT_LABELS.has(k)).sort(), [...asLabels].sort());
  assert.deepEqual([...NOT_LABELS].filter((k) => !documented.includes(k)), []);
});

test('list shows PDEs, estimators and backends (and --json)', async () => {
  const r = await cli('list', '--json');
  assert.equal(r.exitCode, 0, r.stderr);
  const c = JSON.parse(r.stdout);
  // `list` shows the registry, and the registry holds every PDE of the paper's tables (a PDE dropped from
  // it would leave every test that loops over it silent), without a list here to edit when one is added.
  assert.deepEqual(c.pdes.map((p: { name: string }) => p.name), PDES.map((p) => p.name));
  const paperPdes = new Set(loadReference().rows.map((r) => r.pde).filter(Boolean));
  assert.ok(paperPdes.size >= 14, `${paperPdes.size} PDEs in the paper's tables`);
  for (const name of paperPdes) assert.ok(PDES.some((p) => p.name === name), `${name} (in the paper's tables) is not registered`);
  assert.ok(c.pdes.some((p: { name: string; estimators: string[] }) => p.name === 'kdv-2d' && p.estimators.includes('stde-13jet')));
  // The dimensions each PDE takes: one, a set (the semilinear references), or a minimum.
  const dimOf = (name: string) => c.pdes.find((p: { name: string }) => p.name === name).dim;
  assert.deepEqual([dimOf('kdv-2d'), dimOf('semilinear-heat'), dimOf('poisson-three-body')], [2, '∈ {10, 100, 1000, 10000}', '≥ 3']);
  assert.ok(c.estimators.some((e: { name: string }) => e.name === 'none'));
  // A PDE's own schemes are listed among the methods, with the PDE they belong to.
  const own = c.estimators.find((e: { name: string }) => e.name === 'stde-13jet');
  assert.deepEqual([own?.family, /^kdv-2d only: /.test(own?.summary ?? '')], ['scheme', true], JSON.stringify(own));
  assert.ok(c.backends.some((b: { name: string; default: boolean }) => b.name === 'wasm' && b.default));
  assert.deepEqual(c.operators.partial.map((e: { name: string }) => e.name), ['stde', 'nested', 'jvp-hvp']);
  assert.deepEqual(c.operators.biharmonic.map((e: { name: string }) => e.name), ['stde', 'nested']);
  assert.deepEqual(c.operators['second-order'].map((e: { name: string }) => e.name), ['stde', 'nested']);
  const text = await cli('list');
  assert.match(text.stdout, /allen-cahn-three-body/);
  assert.match(text.stdout, /Partial derivatives \(operator --partial/);
});

/** [what, train arguments, message] */
const BAD_CLI: [string, string[], RegExp][] = [
  ['unknown PDE', ['--pde', 'heat-99', '--dim', '4'], /unknown PDE 'heat-99'/],
  ['d = 0', ['--pde', 'poisson-two-body', '--dim', '0'], /--dim must be ≥ 1/],
  ['d < 0', ['--pde', 'poisson-two-body', '--dim=-3'], /--dim must be ≥ 1/],
  ['block size not dividing d', ['--pde', 'allen-cahn-two-body', '--dim', '10', '--block', '3'], /block size 3 does not divide the dimension 10/],
  ['the convolution map without weight sharing', ['--pde', 'allen-cahn-two-body', '--dim', '10', '--sharing', 'conv'], /the weight-sharing map 'conv' needs weight sharing \(a block size B > 1\)$/],
  ['--dist for an estimator without probes', ['--pde', 'allen-cahn-two-body', '--dim', '10', '--estimator', 'stde-sparse', '--dist', 'gaussian'], /--dist applies to the estimators that draw probes \(stde-dense, stde-collapsed-dense\), not stde-sparse$/],
  ['R > d', ['--pde', 'allen-cahn-two-body', '--dim', '5', '--R', '6'], /R = 6 exceeds the dimension d = 5/],
  ['option of another PDE', ['--pde', 'poisson-two-body', '--dim', '5', '--source', 'published-incorrect'], /--source does not apply/],
  ['unknown option', ['--pde', 'poisson-two-body', '--dim', '5', '--bogus'], /unknown option '--bogus'/], // commander's error, printed once
  ['not an integer', ['--pde', 'poisson-two-body', '--dim', '5.5'], /--dim must be an integer below 2⁵³, got '5.5'/],
  ['an integer too large to be exact', ['--pde', 'poisson-two-body', '--dim', '5', '--seed', '1e99'], /--seed must be an integer below 2⁵³, got '1e99'/],
  ['unknown backend', ['--pde', 'poisson-two-body', '--dim', '5', '--backend', 'nope'], /unknown backend 'nope' \(expected one of: wasm, /],
  // Number() reads these as 16 and 3; the integer options refused them, the real-valued ones took them.
  ['a hexadecimal rate', ['--pde', 'poisson-two-body', '--dim', '5', '--lr', '0x10'], /--lr must be a number, got '0x10'$/],
  ['a binary time limit', ['--pde', 'poisson-two-body', '--dim', '5', '--time-limit', '0b11'], /--time-limit must be a number, got '0b11'$/],
];

test('bad input to train: a one-line error and exit code 2', async () => {
  const results = await Promise.all(BAD_CLI.map(([, args]) => cli('train', ...args, '--steps', '5')));
  results.forEach((r, k) => {
    const [what, , message] = BAD_CLI[k];
    assert.equal(r.exitCode, 2, `${what}: exit ${r.exitCode}, stderr ${r.stderr}`);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, `${what}: ${r.stderr}`);
    assert.match(lines[0], /^stde-bench: /);
    assert.match(lines[0], message, what);
    assert.equal(r.stdout, '', what);
  });
});

test('a step that runs out of WASM heap after the plan let it start: one line naming what to change, exit 2', async () => {
  // The plan bounds weights and inputs only (80 MB of points here); the jets of 2·10⁶ points are not.
  // A given count is not retried in more micro-batches (test/micro-batch-retry.test.ts).
  const r = await cli('train', '--pde', 'allen-cahn-two-body', '--dim', '10', '--estimator', 'stde-sparse', '--R', '10', '--width', '16', '--points', '2000000', '--micro-batches', '1', '--steps', '2', '--test-points', '0');
  assert.equal(r.exitCode, 2, r.stderr);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0], /^stde-bench: out of memory: WASM allocation of \d+ MB .*; use more --micro-batches \(this run: 1 of 2000000 points each; 2, 4, 5, … divide the points\), fewer --points/);
});

test('the command line: --version prints the package version; no command prints the help and exits 2; an unknown command, or help for one, is one line', async () => {
  const version = await cli('--version');
  assert.equal(version.exitCode, 0);
  assert.equal(version.stdout.trim(), (await import('../package.json', { with: { type: 'json' } })).default.version);
  const none = await cli();
  assert.equal(none.exitCode, 2);
  assert.match(none.stderr, /^Usage: stde-bench/);
  assert.doesNotMatch(none.stderr, /outputHelp/);
  const unknown = await cli('fly');
  assert.equal(unknown.exitCode, 2);
  assert.equal(unknown.stderr.trim(), "stde-bench: unknown command 'fly'");
  const helpOfUnknown = await cli('help', 'fly');
  assert.equal(helpOfUnknown.exitCode, 2);
  assert.equal(helpOfUnknown.stderr.trim(), "stde-bench: unknown command 'fly' (see stde-bench --help)");
  const helpOfTrain = await cli('help', 'train');
  assert.equal(helpOfTrain.exitCode, 0);
  assert.match(helpOfTrain.stdout, /^Usage: stde-bench train /);
  for (const of of ['help', '--help']) {
    const r = await cli('help', of); // commander's own: the help of help, or of everything
    assert.doesNotMatch(r.stderr, /unknown command/, `help ${of}`);
    assert.match(r.stdout + r.stderr, /^Usage: stde-bench/, `help ${of}`);
  }
});

test('on the cpu backend stderr carries no tfjs banner; without test points the record says so, not "no exact solution"', async () => {
  const r = await cli('train', '--pde', 'poisson-two-body', '--dim', '4', '--steps', '3', '--width', '8', '--test-points', '0', '--backend', 'cpu', '--json');
  assert.equal(r.exitCode, 0, r.stderr);
  assert.equal(r.stderr, '');
  assert.equal(JSON.parse(r.stdout.trim().split('\n').at(-1)!).metric, 'none (--test-points 0)');
});

/** The same checks in-process (the CLI turns every UsageError into the one-line exit 2 above). */
const BAD_CONFIG: [string, Parameters<typeof resolveRun>[0], RegExp][] = [
  ['unknown estimator', { pde: 'allen-cahn-two-body', dim: 5, estimator: 'magic' }, /unknown estimator 'magic'/],
  ['estimator that cannot train the PDE', { pde: 'bsb', dim: 5, estimator: 'stde-dense' }, /cannot train bsb/],
  ['none without an exact solution', { pde: 'hjb-lqg', dim: 5, estimator: 'none' }, /no closed-form exact solution/],
  ['semilinear without a reference', { pde: 'allen-cahn-time', dim: 50, estimator: 'nested' }, /no reference value for d = 50/],
  ['fixed-dimension PDE', { pde: 'kdv-2d', dim: 3, estimator: 'nested' }, /defined for d = 2 only/],
  ['high-order PDE with R > 0', { pde: 'kp-2d', dim: 2, R: 1, estimator: 'nested' }, /R must be 0/],
  ['gPINN with R = 0', { pde: 'allen-cahn-two-body-gpinn', dim: 5, R: 0, estimator: 'stde-sparse' }, /needs R > 0/],
  ['dense probes with R = 0', { pde: 'allen-cahn-two-body', dim: 5, R: 0, estimator: 'stde-dense' }, /needs R > 0 probe vectors/],
  ['dimension below the PDE minimum', { pde: 'poisson-three-body', dim: 2, estimator: 'nested' }, /needs d ≥ 3/],
  ['unknown option value', { pde: 'poisson-three-body', dim: 5, estimator: 'nested', options: { source: 'guess' } }, /unknown --source 'guess'/],
  ["another PDE's value of a shared option", { pde: 'poisson-cube', dim: 5, estimator: 'nested', options: { source: 'published-incorrect' } }, /unknown --source 'published-incorrect' \(expected one of: exact, estimated\)/],
  ["another PDE's value of a shared option (the other way)", { pde: 'poisson-three-body', dim: 5, estimator: 'nested', options: { source: 'estimated' } }, /unknown --source 'estimated'/],
  ['no points', { pde: 'poisson-two-body', dim: 5, estimator: 'nested', points: 0 }, /points must be a positive integer/],
  ['boundary points for a PDE without a boundary loss', { pde: 'allen-cahn-two-body', dim: 5, estimator: 'stde-sparse', boundaryPoints: 3 }, /allen-cahn-two-body has no boundary or terminal loss, so it takes no boundary points \(got 3\)/],
  ['boundary points with the terminal ansatz', { pde: 'hjb-lin', dim: 5, estimator: 'stde-sparse', boundaryPoints: 3 }, /hjb-lin has no boundary or terminal loss \(its terminal condition is the ansatz here: --terminal loss trains one on terminal points\), so it takes no boundary points \(got 3\)$/],
  ['no boundary points for a PDE with a terminal loss', { pde: 'semilinear-heat', dim: 10, estimator: 'stde-sparse', boundaryPoints: 0 }, /boundary points must be ≥ 1, got 0/],
];

for (const [what, req, message] of BAD_CONFIG) {
  test(`train refuses: ${what}`, () => {
    assert.throws(() => resolveRun(req), (e: Error) => e instanceof UsageError && message.test(e.message) && !e.message.includes('\n'));
  });
}

test('the run choice train and profile share: its options make the run request, the backend checked as it is parsed', () => {
  const parse = (...args: string[]) => runChoiceOptions(new Command('t').exitOverride()).parse(args, { from: 'user' }).opts<RunChoiceOpts>();
  const o = parse('--pde', 'allen-cahn-two-body', '--dim', '10', '--R', '4', '--block', '2', '--sharing', 'conv', '--loss', 'unbiased', '--micro-batches', '2', '--backend', 'cpu');
  const given = Object.fromEntries(Object.entries(runRequestOf(o)).filter(([, v]) => v !== undefined));
  assert.deepEqual(given, { pde: 'allen-cahn-two-body', dim: 10, estimator: 'stde-sparse', R: 4, block: 2, sharing: 'conv', loss: 'unbiased', microBatches: 2 });
  assert.throws(() => parse('--pde', 'allen-cahn-two-body', '--sharing', 'tanh'), UsageError);
  assert.equal(o.backend, 'cpu');
  assert.equal(parse('--pde', 'allen-cahn-two-body').backend, 'wasm');
  assert.throws(() => parse('--pde', 'allen-cahn-two-body', '--backend', 'nope'), UsageError);
  // With a fallback (run: the preset's backend) it stays unset for the caller to fill, still checked.
  const inherited = (...args: string[]) => backendOption(new Command('t').exitOverride(), "the preset's").parse(args, { from: 'user' }).opts();
  assert.equal(inherited().backend, undefined);
  assert.throws(() => inherited('--backend', 'nope'), UsageError);
});

test("on a terminal the progress bars of train and run leave the cursor shown (a Ctrl-C mid-run left it hidden)", async (t) => {
  if ((await execa('script', ['--version'], { reject: false })).exitCode !== 0) return t.skip('no script(1) to give the command a terminal');
  const out = join(tempDir('tty-'), 'run');
  const commands = [
    ['train', '--pde', 'allen-cahn-two-body', '--dim', '8', '--steps', '3', '--points', '8', '--test-points', '0'],
    ['run', '--pdes', 'allen-cahn-two-body', '--dims', '8', '--estimators', 'stde-sparse', '--steps', '3', '--points', '8', '--test-points', '0', '--out', out],
  ];
  for (const args of commands) {
    const line = [process.execPath, bin, ...args].map((a) => `'${a}'`).join(' ');
    const r = await execa('script', ['-qfec', line, '/dev/null'], { reject: false, env: { FORCE_COLOR: '0' } });
    assert.equal(r.exitCode, 0, `${args[0]}: ${r.stdout}`);
    assert.match(r.stdout, args[0] === 'train' ? /3\/3 steps/ : /cells .* 1\/1/, `${args[0]}: a bar was drawn`);
    assert.ok(!r.stdout.includes('\x1b[?25l'), `${args[0]}: the cursor was hidden`);
  }
});
