/**
 * The runner end to end, with the real `train` command on tiny cells: one cell forced over its memory
 * cap and one past its time limit become `oom` and `timeout` rows while the others are `ok`; a runner
 * killed with SIGKILL mid-matrix and re-run with --resume ends with every row exactly once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { appendRow, readRows, COLUMNS, type Row } from '../benchmarks/runner/csv-store.ts';
import { expandMatrix, type Matrix, type MatrixGroup } from '../benchmarks/runner/matrix.ts';
import { BIN, executeCell } from '../benchmarks/runner/execute-cell.ts';
import { tempDir } from './temp-dirs.ts';
import { PRESETS } from '../benchmarks/presets/index.ts';

/** A cell small enough that the process start-up dominates (a few seconds). */
const TINY: Omit<MatrixGroup, 'seeds'> = {
  pdes: ['allen-cahn-two-body'],
  dims: [8],
  estimators: ['stde-sparse'],
  R: [4],
  steps: 12,
  widths: [16],
  depths: [3],
  points: 16,
  evalEvery: 6,
  testPoints: 64,
};

function matrixFile(dir: string, m: Matrix): string {
  const f = join(dir, 'matrix.json');
  writeFileSync(f, JSON.stringify(m));
  return f;
}

const stde = (...args: string[]) => execa(process.execPath, [BIN, ...args], { reject: false });

test('a cell over its memory cap is oom, a cell past its time limit is timeout, the rest ok', async () => {
  const dir = tempDir('runner-');
  const m: Matrix = {
    name: 'caps',
    description: 'forced oom and timeout',
    groups: [
      { ...TINY, seeds: [0, 1] },
      // Node + tfjs alone is well above 40 MB resident: the runner's cap must kill it.
      // (At the PDE's default network and batch: a row without a record still names them.)
      { ...TINY, widths: undefined, depths: undefined, points: undefined, seeds: [0], memoryMb: 40, variant: 'forced oom' },
      // Far more steps than 15 s allow: the child stops itself at 5 s of training (15 s less the runner's
      // 10 s for start-up), with its steps timed.
      { ...TINY, seeds: [0], steps: 1_000_000, timeoutS: 15, variant: 'forced timeout' },
    ],
  };
  const out = join(dir, 'out');
  const r = await stde('run', '--matrix', matrixFile(dir, m), '--out', out);
  assert.equal(r.exitCode, 0, String(r.stderr));
  const rows = readRows(join(out, 'results.csv'));
  assert.deepEqual(
    rows.map((x) => [x.variant, x.seed, x.status]),
    [['', 0, 'ok'], ['', 1, 'ok'], ['forced oom', 0, 'oom'], ['forced timeout', 0, 'timeout']],
  );
  const [ok, , oom, timeout] = rows;
  // Finished cells carry the train record's measurements; failed ones say what happened.
  assert.ok((ok.it_per_s as number) > 0 && (ok.step_ms_median as number) > 0 && (ok.peak_tensor_mb as number) > 0);
  assert.ok((ok.rel_l2_best as number) > 0 && (ok.rel_l2_best as number) <= (ok.rel_l2_final as number));
  // The train record's description of its memory probe, carried through (a missing one would be '').
  assert.equal(typeof ok.memory_probe, 'string');
  assert.match(ok.memory_probe as string, /^tf\.profile peakBytes \(all live tensors incl\. weights and optimizer state\), 1 separate unapplied loss\+gradient step$/);
  assert.ok(ok.width === 16 && ok.depth === 3, `width ${ok.width}, depth ${ok.depth}`);
  assert.ok(ok.micro_batches === 1 && (ok.wasm_heap_mb as number) > 0, `micro_batches ${ok.micro_batches}, wasm_heap_mb ${ok.wasm_heap_mb}`);
  assert.doesNotMatch(String(ok.labels), /micro_batches|wasm_heap_mb/);
  assert.match(String(oom.message), /cap of 40 MB/);
  assert.deepEqual([oom.width, oom.depth, oom.points], [128, 4, 100], 'the network and batch train would have used');
  assert.ok((oom.rss_peak_mb as number) > 40, 'the runner records the resident peak it saw');
  assert.equal(oom.it_per_s, null);
  assert.match(String(timeout.message), /^stopped at the 5 s time limit after \d+ of 1000000 steps$/);
  assert.ok((timeout.steps_done as number) > 10 && (timeout.it_per_s as number) > 0 && (timeout.step_ms_median as number) > 0);
  assert.ok((timeout.wall_s as number) >= 5 && (timeout.wall_s as number) < 15);
  assert.ok((timeout.rel_l2_final as number) > 0, 'its last evaluation before the stop');
  // Per-step samples and evaluations of the finished cells, beside the CSV.
  const samples = JSON.parse(readFileSync(join(out, 'samples', `${ok.cell}.json`), 'utf8'));
  assert.ok(samples.step_ms.length >= 5 && samples.step_ms.every((v: number) => v > 0));
  assert.deepEqual(samples.evals.map((e: { step: number }) => e.step), [6, 12]);
  assert.ok(!existsSync(join(out, 'samples', `${oom.cell}.json`)));
  assert.ok(existsSync(join(out, 'samples', `${timeout.cell}.json`)), 'a cell stopped at its time limit keeps its samples');
  const machine = JSON.parse(readFileSync(join(out, 'machine.json'), 'utf8'));
  for (const k of ['node', 'versions', 'cpu', 'memoryMb', 'os', 'git', 'date', 'backend']) assert.ok(k in machine, k);
  assert.equal(machine.backend, 'wasm');
  assert.equal(machine.precision, 'float32'); // pdes.md §11: state the precision
  assert.equal(typeof machine.backendFlags.STDE_WASM_FMA, 'boolean');
  assert.equal(machine.launcher, process.env.STDE_BENCH_TSX === '1' ? 'tsx' : 'build'); // how the command ran (bin/stde-bench.mjs)
  // The same folder again without --resume would mix two runs: refused, nothing lost.
  const before = readFileSync(join(out, 'results.csv'), 'utf8');
  const again = await stde('run', '--matrix', matrixFile(dir, m), '--out', out);
  assert.equal(again.exitCode, 2);
  assert.match(String(again.stderr), /--resume/);
  assert.equal(readFileSync(join(out, 'results.csv'), 'utf8'), before);
});

test('kill -9 mid-matrix, then --resume: every row exactly once, finished rows untouched', async () => {
  const dir = tempDir('resume-');
  // Six cells: after the first row, enough left for a second run to start while the first still writes.
  const m: Matrix = { name: 'resume', description: 'resume', groups: [{ ...TINY, seeds: [0, 1, 2, 3, 4, 5] }] };
  const file = matrixFile(dir, m);
  const out = join(dir, 'out');
  const csv = join(out, 'results.csv');
  const runner = execa(process.execPath, [BIN, 'run', '--matrix', file, '--out', out], { reject: false });
  // Wait for the first finished row, then kill the runner without warning.
  const t0 = Date.now();
  while (!(existsSync(csv) && readFileSync(csv, 'utf8').trim().split('\n').length >= 2)) {
    assert.ok(Date.now() - t0 < 90_000, 'no row after 90 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  // A second run into the folder while the first runs a cell there is refused, and leaves the first
  // alone (its --resume clean-up would have killed that cell, a row 'oom' below).
  let running = 0; // the pid of the cell it runs now
  while (!running) {
    assert.ok(Date.now() - t0 < 90_000, 'no cell running after 90 s');
    try {
      running = JSON.parse(readFileSync(join(out, '.running.json'), 'utf8')).pid;
    } catch {
      await new Promise((r) => setTimeout(r, 20)); // between two cells, or half written
    }
  }
  const second = await stde('run', '--matrix', file, '--out', out, '--resume');
  assert.equal(second.exitCode, 2);
  assert.match(String(second.stderr).trim(), new RegExp(`^stde-bench: \\S+ is being written by another stde-bench run or targets \\(pid ${runner.pid}\\); wait for it to end or choose another --out \\(if none writes there, remove \\S+\\.run\\.lock\\)$`));
  runner.kill('SIGKILL'); // its lock stays behind, stale: the --resume below takes it over
  const killed = await runner;
  assert.equal(killed.signal, 'SIGKILL');
  const before = readRows(csv);
  assert.ok(before.length >= 1 && before.length < 6, `rows before resume: ${before.length}`);
  // --dry-run of the resume lists what it would run: the cells without a row, and says how many are done.
  const preview = await stde('run', '--matrix', file, '--out', out, '--resume', '--dry-run');
  assert.equal(preview.exitCode, 0, String(preview.stderr));
  const listed = String(preview.stdout).trim().split('\n');
  const left = expandMatrix(m, 'wasm').filter((c) => !before.some((b) => b.cell === c.id));
  assert.deepEqual(listed.slice(0, -1), left.map((c) => c.id));
  assert.equal(listed.at(-1), `${left.length} cells, ${12 * left.length} steps (${6 - left.length} of 6 already done in ${out})`);
  assert.deepEqual(readRows(csv), before, '--dry-run changes nothing');

  const r = await execa(process.execPath, [BIN, 'run', '--matrix', file, '--out', out, '--resume'], { reject: false });
  assert.equal(r.exitCode, 0, String(r.stderr));
  const after = readRows(csv);
  const ids = expandMatrix(m, 'wasm').map((c) => c.id);
  assert.deepEqual([...after.map((x) => x.cell)].sort(), [...ids].sort(), 'each cell once');
  assert.ok(after.every((x) => x.status === 'ok'));
  // Rows written before the kill are kept as they were (same start time, same numbers).
  for (const b of before) assert.deepEqual(after.find((a) => a.cell === b.cell), b);
  assert.equal(readFileSync(csv, 'utf8').split('\n')[0], COLUMNS.join(','));
  assert.equal(readdirSync(join(out, 'samples')).length, 6);
  const run = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'));
  assert.equal(run.invocations.length, 2);
  // A resume with nothing left to do runs nothing.
  const noop = await stde('run', '--matrix', file, '--out', out, '--resume');
  assert.equal(noop.exitCode, 0);
  assert.match(String(noop.stdout), /0 cells run/);
  assert.equal(readRows(csv).length, 6);
  assert.ok(!existsSync(join(out, '.run.lock')), 'a run that ended released the folder');
  // A resume continues the same matrix: another one into this folder is refused, nothing touched.
  const [csvBefore, runBefore] = [readFileSync(csv, 'utf8'), readFileSync(join(out, 'run.json'), 'utf8')];
  const other = await stde('run', '--matrix', matrixFile(dir, { ...m, name: 'other' }), '--out', out, '--resume');
  assert.equal(other.exitCode, 2);
  assert.match(String(other.stderr).trim(), /^stde-bench: .* holds a run of matrix 'resume', and --resume continues that one .*; run 'other' into another --out$/);
  assert.deepEqual([readFileSync(csv, 'utf8'), readFileSync(join(out, 'run.json'), 'utf8')], [csvBefore, runBefore]);
  // The same file at other steps is another matrix too, though its name is the same.
  const longer = await stde('run', '--matrix', matrixFile(dir, m), '--steps', '13', '--out', out, '--resume');
  assert.equal(longer.exitCode, 2);
  assert.match(String(longer.stderr).trim(), /^stde-bench: .* holds \S+_n12_wasm_s\d \(12 steps\), and --resume continues that run: \S+_n13_wasm_s\d would add the same cell at 13 steps; /);
  assert.deepEqual([readFileSync(csv, 'utf8'), readFileSync(join(out, 'run.json'), 'utf8')], [csvBefore, runBefore]);
});

test('--resume into a folder whose run.json or results.csv is corrupt, or whose run.json names no run: one line and exit 2, the folder untouched', async () => {
  const dir = tempDir('resume-corrupt-');
  const m: Matrix = { name: 'corrupt', description: 'corrupt run.json', groups: [{ ...TINY, seeds: [0] }] };
  const file = matrixFile(dir, m);
  // Every cell has its row: were run.json's checks skipped, the resume would run nothing and rewrite run.json.
  const row = { ...Object.fromEntries(COLUMNS.map((c) => [c, null])), cell: expandMatrix(m, 'wasm')[0].id, status: 'ok', dim: 8 } as Row;
  const files = (out: string) => readdirSync(out).sort().map((f) => [f, readFileSync(join(out, f), 'utf8')]);
  for (const [name, text, message, csv] of [
    ['torn', '{"matrix": {"name": "corrupt"', /torn\/run\.json: malformed JSON/],
    ['argv-string', JSON.stringify({ matrix: m, backend: 'wasm', invocations: [{ date: '', argv: 'run' }] }), /argv-string\/run\.json: invocations\[0\]\.argv is a string, not an array$/],
    ['no-backend', JSON.stringify({ matrix: m, invocations: [] }), /no-backend\/run\.json names no backend, so --resume cannot tell which run it would continue/],
    ['no-matrix', JSON.stringify({ backend: 'wasm' }), /no-matrix\/run\.json names no matrix/],
    ['garbage-csv', JSON.stringify({ matrix: m, backend: 'wasm' }), /garbage-csv\/results\.csv: malformed CSV \(Invalid Opening Quote/, 'garbage "unterminated\n'],
    ['one-line-csv', JSON.stringify({ matrix: m, backend: 'wasm' }), /one-line-csv\/results\.csv: not a stde-bench results CSV \(its one line is no header\)/, 'not, a, header'],
    ['no-column', JSON.stringify({ matrix: m, backend: 'wasm' }), /no-column\/results\.csv: not a stde-bench results CSV \(no 'it_per_s' column\)/, 'cell,pde,dim,estimator,R,seed,backend,steps,status\nc,p,8,e,0,0,wasm,2,ok\n'],
  ] as [string, string, RegExp, string?][]) {
    const out = join(dir, name);
    mkdirSync(out);
    writeFileSync(join(out, 'run.json'), text);
    if (csv === undefined) appendRow(join(out, 'results.csv'), row);
    else writeFileSync(join(out, 'results.csv'), csv);
    const before = files(out);
    const r = await stde('run', '--matrix', file, '--out', out, '--resume');
    assert.equal(r.exitCode, 2, `${name}: ${r.stderr}`);
    assert.equal(String(r.stderr).trim().split('\n').length, 1, String(r.stderr));
    assert.match(String(r.stderr).trim(), message);
    assert.deepEqual(files(out), before, `${name}: the folder changed`);
  }
});

test('a command-line matrix resumes only as itself: all are named custom, so their cells tell them apart', async () => {
  const out = join(tempDir('resume-cl-'), 'out');
  const cl = (...more: string[]) => stde('run', '--pdes', 'allen-cahn-two-body', '--dims', '10', '--estimators', 'stde-sparse', '--width', '8', '--test-points', '0', '--out', out, ...more);
  const first = await cl('--steps', '3');
  assert.equal(first.exitCode, 0, String(first.stderr));
  const files = () => ['results.csv', 'run.json'].map((f) => readFileSync(join(out, f), 'utf8'));
  const before = files();
  for (const other of [['--steps', '5'], ['--steps', '3', '--dims', '10,20']]) {
    const r = await cl(...other, '--resume');
    assert.equal(r.exitCode, 2, other.join(' '));
    assert.match(String(r.stderr).trim(), /^stde-bench: .* holds a run of other cells, and --resume continues that one \(stde-bench run .* --steps 3\); run these cells into another --out$/);
  }
  assert.deepEqual(files(), before);
  // A field this version does not write (a note, or a later version's) stays when the resume rewrites run.json.
  const runJson = join(out, 'run.json');
  writeFileSync(runJson, JSON.stringify({ ...JSON.parse(readFileSync(runJson, 'utf8')), note: 'kept' }));
  const same = await cl('--steps', '3', '--resume');
  assert.equal(same.exitCode, 0, String(same.stderr));
  assert.match(String(same.stdout), /^0 cells run/);
  const resumed = JSON.parse(readFileSync(runJson, 'utf8'));
  assert.equal(resumed.note, 'kept');
  assert.equal(resumed.invocations.length, 2, 'and the resume is one more invocation');
});

test("a row's rss_peak_mb is train's own peak where it printed a record, as its rss_probe says, not the runner's watch", async () => {
  // train's maxRSS is its own process, after a micro-batch restart that of the count it kept; the watch
  // sums VmHWM over the child's process tree and never comes down. Here a grandchild holding ~190 MiB
  // (started by a preload in train) makes the two differ: the watch sees it, train's maxRSS does not.
  const dir = tempDir('rss-');
  const preload = join(dir, 'grandchild.cjs');
  writeFileSync(preload, `
    const env = { ...process.env }; delete env.NODE_OPTIONS;
    const c = require('node:child_process').spawn(process.execPath, ['-e', 'const b = Buffer.alloc(200e6, 1); setTimeout(() => b, 60000)'], { stdio: 'ignore', env });
    c.unref();
    process.on('exit', () => c.kill('SIGKILL'));
  `);
  const [cell] = expandMatrix({ name: 'rss', description: '', groups: [{ ...TINY, steps: 4, testPoints: 0, seeds: [0] }] }, 'wasm');
  const before = process.env.NODE_OPTIONS;
  process.env.NODE_OPTIONS = `${before ?? ''} --require ${preload}`; // executeCell's child inherits the environment
  let result: Awaited<ReturnType<typeof executeCell>>;
  try {
    result = await executeCell(cell, { timeoutS: 120 });
  } finally {
    if (before === undefined) delete process.env.NODE_OPTIONS;
    else process.env.NODE_OPTIONS = before;
  }
  const { row, verdict } = result;
  assert.equal(verdict.status, 'ok', verdict.message);
  const recorded = verdict.record!.rss_peak_mb as number;
  assert.ok(recorded > 0, `train's own peak ${recorded} MB`);
  assert.deepEqual([row.rss_peak_mb, row.rss_probe], [recorded, 'process.resourceUsage().maxRSS (train)']);
});

test("--backend wins over a matrix file's backend", async () => {
  const dir = tempDir('backend-');
  const m: Matrix = { name: 'b', description: '', backend: 'cpu', groups: [{ ...TINY, seeds: [0] }] };
  const own = await stde('run', '--matrix', matrixFile(dir, m), '--dry-run');
  assert.equal(own.exitCode, 0, String(own.stderr));
  assert.match(String(own.stdout).split('\n')[0], /_cpu_s0$/); // without --backend, the file's
  const r = await stde('run', '--matrix', matrixFile(dir, m), '--backend', 'wasm', '--dry-run');
  assert.equal(r.exitCode, 0, String(r.stderr));
  assert.match(String(r.stdout).split('\n')[0], /_wasm_s0$/);
});

test("--timeout wins over a matrix file's timeoutS (run.json records the limit the cells ran under)", async () => {
  const dir = tempDir('timeout-');
  const m: Matrix = { name: 't', description: '', timeoutS: 300, groups: [{ ...TINY, seeds: [0] }] };
  const file = matrixFile(dir, m);
  // A folder whose one cell is done already: --resume then runs nothing, and writes run.json only.
  const out = join(dir, 'out');
  mkdirSync(out);
  const [cell] = expandMatrix(m, 'wasm');
  writeFileSync(join(out, 'run.json'), JSON.stringify({ matrix: m, backend: 'wasm', cells: [cell.id], invocations: [{ date: '', argv: ['run'] }] }));
  appendRow(join(out, 'results.csv'), Object.fromEntries(COLUMNS.map((c) => [c, c === 'cell' ? cell.id : c === 'status' ? 'ok' : null])) as Row);
  const timeoutS = async (...more: string[]) => {
    const r = await stde('run', '--matrix', file, '--out', out, '--resume', ...more);
    assert.equal(r.exitCode, 0, String(r.stderr));
    assert.match(String(r.stdout), /^0 cells run/);
    return JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')).timeoutS;
  };
  assert.equal(await timeoutS('--timeout', '77'), 77);
  assert.equal(await timeoutS(), 300); // without --timeout, the file's
});

test('bad input is a one-line usage error with exit code 2', async () => {
  const dir = tempDir('bad-matrix-');
  const group = { pdes: ['allen-cahn-two-body'], dims: [10], estimators: ['stde-sparse'], R: [4], seeds: [0], steps: 2 };
  const file = (name: string, m: object) => (writeFileSync(join(dir, name), JSON.stringify({ name: 'm', ...m })), join(dir, name));
  // Each with the message it must give (matched against the one line).
  const named: [string[], RegExp][] = [
    [['run', '--preset', 'no-such-preset'], /unknown preset 'no-such-preset' \(expected one of: quick, ci, /],
    [['run', '--preset', 'quick', '--resume'], /--resume continues the run in --out: name its folder/],
    [['run', '--pdes', 'allen-cahn-two-body', '--dims', '10', '--estimators', 'stde-sparse', '--R', '20'], /R = 20 exceeds d = 10 \(allen-cahn-two-body, stde-sparse\)/],
    [['run', '--pdes', 'no-such-pde', '--dims', '10', '--estimators', 'stde-sparse'], /unknown PDE 'no-such-pde' \(expected one of: /],
    [['run', '--pdes', 'kdv-2d', '--dims', '2', '--estimators', 'stde-dense'], /cell [^:]+: estimator 'stde-dense' cannot train kdv-2d \(it needs .*; supported: stde-sparse, /],
    [['run', '--pdes', 'allen-cahn-two-body', '--dims', '0', '--estimators', 'stde-sparse'], /--dims must be ≥ 1, got 0/],
    [['run', '--preset', 'quick', '--dims', '5'], /--dims 5: not in quick \(it has 100, 1000\)/],
    [['run', '--preset', 'quick', '--backend', 'no-such-backend'], /unknown backend 'no-such-backend' \(expected one of: wasm, /],
    [['run', '--preset', 'quick', '--memory-mb', '-5'], /--memory-mb must be ≥ 1, got -5/],
    [['run', '--pdes', '', '--dims', '10', '--estimators', 'stde-sparse'], /--pdes: empty list/],
    [['run', '--pdes', 'allen-cahn-two-body', '--dims', '10', '--estimators', ','], /--estimators: empty list/],
    [['run', '--matrix', file('null.json', { groups: [null] })], /group 1: a group must be an object/],
    [['run', '--matrix', file('typo.json', { groups: [{ ...group, width: 8, depth: 2 }] })], /unknown key 'width', 'depth' \(known keys: .*widths, depths/],
    [['run', '--matrix', file('string.json', { groups: [{ ...group, dims: ['10'] }] })], /got "10" \(a string\)/],
  ];
  // --dry-run checks an existing --out as the run would: a finished run is not written over, and
  // --resume continues only the run the folder holds.
  const held = join(dir, 'held');
  mkdirSync(held);
  writeFileSync(join(held, 'run.json'), JSON.stringify({ matrix: { name: 'other', groups: [] }, backend: 'wasm', cells: [] }));
  writeFileSync(join(held, 'results.csv'), '');
  // A folder holding another measurement (the committed targets folder, say): not a run to write into
  // or to resume, and --resume cannot continue rows without the run.json that says what they are.
  const targets = join(dir, 'targets');
  mkdirSync(targets);
  writeFileSync(join(targets, 'machine.json'), '{"kept": true}');
  const orphan = join(dir, 'orphan');
  mkdirSync(orphan);
  writeFileSync(join(orphan, 'results.csv'), 'cell\n');
  const tornMachine = join(dir, 'torn-machine');
  mkdirSync(tornMachine);
  writeFileSync(join(tornMachine, 'run.json'), JSON.stringify({ matrix: { name: 'quick', groups: [] }, backend: 'wasm', cells: [] }));
  writeFileSync(join(tornMachine, 'machine.json'), '{bad');
  const csvFolder = join(dir, 'csv-folder');
  mkdirSync(join(csvFolder, 'results.csv'), { recursive: true });
  // A run's folder whose samples/ is a file (the run made its run.json and machine.json, then failed at
  // mkdir with a stack), or whose machine.json is JSON but no description (--resume replaced it).
  const quickRun = JSON.stringify({ matrix: { name: 'quick', groups: [] }, backend: 'wasm', cells: [] });
  const samplesFile = join(dir, 'samples-file');
  mkdirSync(samplesFile);
  writeFileSync(join(samplesFile, 'run.json'), quickRun);
  writeFileSync(join(samplesFile, 'samples'), 'kept');
  const arrayMachine = join(dir, 'array-machine');
  mkdirSync(arrayMachine);
  writeFileSync(join(arrayMachine, 'run.json'), quickRun);
  writeFileSync(join(arrayMachine, 'machine.json'), '[]');
  // --dry-run refuses an --out the run would refuse, though it writes nothing there.
  const aFile = join(dir, 'a-file');
  writeFileSync(aFile, 'kept');
  named.push(
    [['run', '--preset', 'quick', '--out', held], /held already holds results\.csv; use --resume/],
    [['run', '--preset', 'quick', '--out', held, '--resume'], /held holds a run of matrix 'other'/],
    [['run', '--preset', 'quick', '--out', targets], /targets already holds machine\.json \(a measurement: kept\); use --resume to finish a run there, or choose another --out$/],
    [['run', '--preset', 'quick', '--out', targets, '--resume'], /targets already holds machine\.json \(a measurement: kept\); it has no run\.json, so --resume cannot tell/],
    [['run', '--preset', 'quick', '--out', orphan, '--resume'], /orphan already holds results\.csv .*it has no run\.json/],
    [['run', '--preset', 'quick', '--out', tornMachine, '--resume'], /machine\.json is malformed JSON: --resume would replace the description/],
    [['run', '--preset', 'quick', '--out', csvFolder, '--resume'], /results\.csv is not a file$/],
    [['run', '--preset', 'quick', '--out', samplesFile, '--resume'], /samples-file\/samples is not a folder$/],
    [['run', '--preset', 'quick', '--out', arrayMachine, '--resume'], /machine\.json is not a JSON object: --resume would replace the description/],
    [['run', '--preset', 'quick', '--out', aFile], /a-file is a file, not a folder$/],
    [['run', '--preset', 'quick', '--out', join(aFile, 'sub')], /a-file is a file, not a folder$/],
    [['run', '--preset', 'quick', '--out', '/proc/stde-bench-out'], /--out \/proc\/stde-bench-out: cannot write in \/proc /],
    [['run', '--preset', 'quick', '--out', ''], /--out must name a path, got ''$/],
    [['run', '--pdes', 'allen-cahn-two-body', '--dims', '10,,100', '--estimators', 'stde-sparse'], /--dims: an empty item in '10,,100'$/],
    // A typo for some other list: the repeated value would run once.
    [['run', '--pdes', 'allen-cahn-two-body', '--dims', '20,20', '--estimators', 'stde-sparse'], /--dims: '20' is given twice in '20,20'$/],
    // It would list every preset and drop the rest of the line without a word.
    [['run', '--list-presets', '--preset', 'no-such-preset'], /--preset does nothing with --list-presets: it lists the presets and exits$/],
  );
  for (const [args, message] of named) {
    const r = await stde(...args, '--dry-run');
    assert.equal(r.exitCode, 2, `${args.join(' ')}: ${r.stderr}`);
    const lines = String(r.stderr).trim().split('\n');
    assert.equal(lines.length, 1, `${args.join(' ')}: ${r.stderr}`);
    assert.match(lines[0], /^stde-bench: /, args.join(' '));
    assert.match(lines[0], message, args.join(' '));
  }
  assert.equal(readFileSync(join(targets, 'machine.json'), 'utf8'), '{"kept": true}');
  assert.equal(readFileSync(join(tornMachine, 'machine.json'), 'utf8'), '{bad');
  assert.equal(readFileSync(join(orphan, 'results.csv'), 'utf8'), 'cell\n');
  assert.equal(readFileSync(join(samplesFile, 'run.json'), 'utf8'), quickRun);
  assert.equal(readFileSync(join(samplesFile, 'samples'), 'utf8'), 'kept');
  assert.ok(!existsSync(join(samplesFile, 'machine.json')));
  assert.equal(readFileSync(join(arrayMachine, 'machine.json'), 'utf8'), '[]');
  assert.equal(readFileSync(aFile, 'utf8'), 'kept');
  // --depth 1 is the linear model, as train --depth 1 and a matrix's depths: [1] take it.
  const linear = await stde('run', '--pdes', 'allen-cahn-two-body', '--dims', '10', '--estimators', 'stde-sparse', '--depth', '1', '--dry-run');
  assert.equal(linear.exitCode, 0, String(linear.stderr));
  assert.match(String(linear.stdout), /_L1_/);
  const ok = await stde('run', '--preset', 'paper-table-6', '--dry-run');
  assert.equal(ok.exitCode, 0);
  assert.match(String(ok.stdout), /150 cells/);
});

test('--list-presets names every preset with its cells; a reader that stops early ends it quietly', async () => {
  const listed = await stde('run', '--list-presets');
  assert.equal(listed.exitCode, 0, String(listed.stderr));
  const names = String(listed.stdout).trim().split('\n').map((line) => line.split(/\s+/)[0]);
  assert.deepEqual(names, PRESETS.map((p) => p.name));
  assert.match(String(listed.stdout), /^paper-table-6 +150 cells/m);
  // `true` has exited long before the CLI starts writing: every write meets a closed pipe (EPIPE).
  const piped = await execa('bash', ['-c', `"${process.execPath}" "${BIN}" run --list-presets | true; echo "\${PIPESTATUS[0]}"`], { reject: false });
  assert.equal(String(piped.stdout).trim(), '0', String(piped.stderr));
  assert.equal(String(piped.stderr), '');
});

test('a run whose engine cannot start leaves a folder that --resume continues (run.json is written first)', async () => {
  const out = join(tempDir('failed-start-'), 'out');
  // The optional tensorflow backend, absent here: the run stops at the engine's start, one line, exit 2.
  const args = ['run', '--pdes', 'allen-cahn-two-body', '--dims', '10', '--estimators', 'stde-sparse', '--steps', '5', '--backend', 'tensorflow', '--out', out];
  const first = await stde(...args);
  if (first.exitCode === 0) return; // tfjs-node installed: nothing failed to test
  assert.equal(first.exitCode, 2, String(first.stderr));
  assert.ok(existsSync(join(out, 'run.json')));
  const again = await stde(...args, '--resume', '--dry-run');
  assert.equal(again.exitCode, 0, String(again.stderr));
});
