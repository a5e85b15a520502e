/** Runner pieces without child processes: matrix expansion, presets, status classification, CSV store. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, appendFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { expandMatrix, trainArgs, type Matrix, type MatrixGroup } from '../benchmarks/runner/matrix.ts';
import { classify, parseRecord } from '../benchmarks/runner/classify.ts';
import { childTimeLimitS } from '../benchmarks/runner/execute-cell.ts';
import { appendRow, COLUMNS, readRows, repairTail, upgradeColumns, type Row } from '../benchmarks/runner/csv-store.ts';
import { resolveMatrix, type MatrixFlags } from '../benchmarks/runner/load-matrix.ts';
import { refuseOtherRun, runMatrix } from '../benchmarks/runner/run-matrix.ts';
import { slotOf } from '../benchmarks/runner/cell-id.ts';
import { PRESETS, getPreset } from '../benchmarks/presets/index.ts';
import { requestOfCell, validateCells } from '../benchmarks/runner/validate-cells.ts';
import { resolveRun } from '../benchmarks/training/run-config.ts';
import { UsageError } from '../engine/errors.ts';
import { tempDir } from './temp-dirs.ts';

const tiny: Matrix = {
  name: 't',
  description: '',
  groups: [
    { pdes: ['a', 'b'], dims: [10, 20], estimators: ['e1', 'e2'], R: [0, 4], seeds: [0, 1], steps: 5 },
    { pdes: ['a'], dims: [10], estimators: ['e1'], R: [4], seeds: [0], steps: 5, variant: 'other source', args: ['--source', 'x'] },
  ],
};

test('a matrix expands to the cross product, in a stable order, with unique readable ids', () => {
  const cells = expandMatrix(tiny, 'wasm');
  assert.equal(cells.length, 2 * 2 * 2 * 2 * 2 + 1);
  assert.equal(new Set(cells.map((c) => c.id)).size, cells.length);
  assert.deepEqual(cells.map((c) => c.id), expandMatrix(tiny, 'wasm').map((c) => c.id));
  assert.equal(cells[0].id, 'a_d10_e1_R0_wdef_Ldef_B1_n5_wasm_s0');
  const last = cells.at(-1)!;
  assert.equal(last.id, 'a_d10_e1_R4_wdef_Ldef_B1_n5_wasm_other-source_s0');
  assert.deepEqual(trainArgs(last), ['--pde', 'a', '--dim', '10', '--estimator', 'e1', '--R', '4', '--seed', '0', '--steps', '5', '--backend', 'wasm', '--source', 'x', '--json']);
});

test('cells come in the order group, pde, dim, estimator, R, net, seed (a resumed run walks the same list)', () => {
  const g: MatrixGroup = { pdes: ['a', 'b'], dims: [10, 20], estimators: ['e1', 'e2'], R: [2, 4], widths: [8, 16], seeds: [0, 1], steps: 5 };
  const cells = expandMatrix({ name: 'o', description: '', groups: [g, { ...g, pdes: ['c'], dims: [30] }] }, 'wasm');
  const expected: string[] = [];
  for (const group of [g, { ...g, pdes: ['c'], dims: [30] }])
    for (const pde of group.pdes)
      for (const dim of group.dims)
        for (const e of group.estimators)
          for (const R of group.R)
            for (const w of group.widths!)
              for (const s of group.seeds) expected.push(`${pde} ${dim} ${e} ${R} ${w} ${s}`);
  assert.deepEqual(cells.map((c) => `${c.pde} ${c.dim} ${c.estimator} ${c.R} ${c.width} ${c.seed}`), expected);
});

test('impossible cells and malformed groups are usage errors', () => {
  const bad = (g: object) => () => expandMatrix({ name: 'x', description: '', groups: [{ ...tiny.groups[0], ...g }] }, 'wasm');
  assert.throws(bad({ R: [50] }), UsageError); // R > d
  assert.throws(bad({ dims: [0] }), UsageError);
  assert.throws(bad({ blocks: [3] }), UsageError); // 3 does not divide 10
  assert.throws(bad({ estimators: [] }), UsageError);
  assert.throws(bad({ steps: 0 }), UsageError);
  assert.throws(bad({ testPoints: -1 }), UsageError);
  assert.throws(bad({ points: 0 }), UsageError);
  assert.doesNotThrow(bad({ testPoints: 0 })); // no evaluation, as train --test-points 0
  assert.throws(bad({ depths: [0] }), UsageError);
  assert.doesNotThrow(bad({ depths: [1] })); // the linear model, as train --depth 1
  // Two cells with one id but different train arguments must be told apart by a variant label.
  assert.throws(
    () => expandMatrix({ name: 'x', description: '', groups: [tiny.groups[1], { ...tiny.groups[1], args: ['--source', 'y'] }] }, 'wasm'),
    /variant/,
  );
});

test('matrix args: PDE options, --dist for probe estimators, --sharing, --loss and train switches such as --sync-steps; anything else is a usage error', () => {
  const group = { pdes: ['allen-cahn-two-body'], dims: [20], estimators: ['stde-sparse'], R: [4], seeds: [0], steps: 2 };
  const cells = (args: string[], estimators = group.estimators) => expandMatrix({ name: 'x', description: '', groups: [{ ...group, estimators, args, variant: args.join(' ') }] }, 'wasm');
  validateCells(cells(['--sync-steps', '--sampler', 'volume-uniform']));
  assert.deepEqual(trainArgs(cells(['--sync-steps'])[0]).slice(-2), ['--sync-steps', '--json']);
  assert.throws(() => validateCells(cells(['--sync-step'])), /has no option --sync-step \(options: --sampler, --dist, --sharing, --loss, --sync-steps\)/);
  assert.throws(() => validateCells(cells(['--sampler', 'cube'])), /must be one of/);
  // Gaussian probes for the dense estimators: the child gets the flag, the request the distribution.
  const gaussian = cells(['--dist', 'gaussian'], ['stde-dense'])[0];
  validateCells([gaussian]);
  assert.equal(requestOfCell(gaussian).dist, 'gaussian');
  assert.deepEqual(trainArgs(gaussian).slice(-3), ['--dist', 'gaussian', '--json']);
  assert.throws(() => validateCells(cells(['--dist', 'uniform'], ['stde-dense'])), /--dist must be one of rademacher, gaussian, got 'uniform'/);
  assert.throws(() => validateCells(cells(['--dist', 'gaussian'])), /: cell .*: --dist applies to the estimators that draw probes .*, not stde-sparse$/);
  // The paper's convolution as the weight-sharing map (O3): with weight sharing only.
  const conv = expandMatrix({ name: 'x', description: '', groups: [{ ...group, blocks: [4], args: ['--sharing', 'conv'], variant: 'conv' }] }, 'wasm')[0];
  validateCells([conv]);
  assert.equal(requestOfCell(conv).sharing, 'conv');
  assert.deepEqual(trainArgs(conv).slice(-3), ['--sharing', 'conv', '--json']);
  assert.throws(() => validateCells(cells(['--sharing', 'conv'])), /: cell .*: the weight-sharing map 'conv' needs weight sharing \(a block size B > 1\)$/);
  assert.throws(() => validateCells(cells(['--sharing', 'tanh'])), /--sharing must be one of affine-tanh, conv, got 'tanh'/);
  // The unbiased loss (Eq. 25), for a method that samples.
  const unbiased = cells(['--loss', 'unbiased'])[0];
  validateCells([unbiased]);
  assert.equal(requestOfCell(unbiased).loss, 'unbiased');
  assert.throws(() => validateCells(expandMatrix({ name: 'x', description: '', groups: [{ ...group, R: [0], args: ['--loss', 'unbiased'], variant: 'u' }] }, 'wasm')), /: cell .*: --loss unbiased needs two independent estimates, and R = 0 draws nothing/);
});

test("a matrix cell that train would refuse is refused before anything runs, with train's reason", () => {
  const at = (g: object) => expandMatrix({ name: 'x', description: '', groups: [{ pdes: ['allen-cahn-two-body'], dims: [20], estimators: ['stde-dense'], R: [0], seeds: [0], steps: 2, ...g }] }, 'wasm');
  assert.throws(() => validateCells(at({})), (e: Error) => e instanceof UsageError && /^cell allen-cahn-two-body_d20_stde-dense_R0_.*: stde-dense needs R > 0 probe vectors/.test(e.message));
  validateCells(at({ R: [4] }));
});

test('a command-line matrix without --R gives each PDE and d the R train would use', () => {
  const cells = expandMatrix(resolveMatrix({ pdes: ['allen-cahn-two-body', 'semilinear-heat'], dims: [10, 100], estimators: ['stde-sparse'] }), 'wasm');
  assert.deepEqual(cells.map((c) => [c.pde, c.dim, c.R]), [
    ['allen-cahn-two-body', 10, resolveRun({ pde: 'allen-cahn-two-body', dim: 10, estimator: 'stde-sparse' }).R],
    ['allen-cahn-two-body', 100, 16],
    ['semilinear-heat', 10, resolveRun({ pde: 'semilinear-heat', dim: 10, estimator: 'stde-sparse' }).R],
    ['semilinear-heat', 100, resolveRun({ pde: 'semilinear-heat', dim: 100, estimator: 'stde-sparse' }).R],
  ]);
  assert.equal(cells[0].R, 10);
  validateCells(expandMatrix(resolveMatrix({ pdes: ['allen-cahn-two-body'], dims: [10], estimators: ['stde-dense'] }), 'wasm')); // R = 0 would be refused
  const given = expandMatrix(resolveMatrix({ pdes: ['allen-cahn-two-body'], dims: [10, 100], estimators: ['stde-sparse'], R: [4] }), 'wasm');
  assert.deepEqual(given.map((c) => c.R), [4, 4]);
});

test('a command-line matrix runs 1000 steps and seed 0 unless told otherwise (README: --steps defaults to 1000)', () => {
  const m = resolveMatrix({ pdes: ['allen-cahn-two-body', 'semilinear-heat'], dims: [10], estimators: ['stde-sparse'] });
  assert.deepEqual(m.groups.map((g) => [g.steps, g.seeds]), [[1000, [0]], [1000, [0]]]);
  assert.deepEqual(m.groups.map((g) => g.R), m.groups.map((g) => [resolveRun({ pde: g.pdes[0], dim: g.dims[0], estimator: 'stde-sparse' }).R])); // each PDE's own, as train
});

test('methods that draw nothing (the data fit, the Forward Laplacian) run at R = 0 whatever R is asked: one cell, a record that says so', () => {
  const cells = expandMatrix(resolveMatrix({ pdes: ['allen-cahn-two-body'], dims: [10], estimators: ['stde-sparse', 'forward-laplacian', 'none'], R: [4, 8] }), 'wasm');
  // Before, forward-laplacian_R4 and _R8 were two cells of the same computation, each recording its R.
  assert.deepEqual(cells.map((c) => `${c.estimator} ${c.R}`), ['stde-sparse 4', 'stde-sparse 8', 'forward-laplacian 0', 'none 0']);
  for (const estimator of ['forward-laplacian', 'none']) {
    assert.equal(resolveRun({ pde: 'allen-cahn-two-body', dim: 10, estimator, R: 5 }).R, 0, estimator);
    assert.equal(resolveRun({ pde: 'allen-cahn-two-body', dim: 10, estimator }).R, 0, estimator); // the PDE's default R is a sampler's
  }
  assert.equal(resolveRun({ pde: 'allen-cahn-two-body', dim: 10, estimator: 'stde-sparse' }).R, 10);
});

test('every preset expands; paper presets carry the paper settings and the decisions', () => {
  for (const p of PRESETS) {
    const cells = expandMatrix(p, 'wasm');
    assert.ok(cells.length > 0, p.name);
    validateCells(cells); // every PDE, method, dimension and option exists in the registry
  }
  const t3 = expandMatrix(getPreset('paper-table-3'), 'wasm');
  // 5 dims × 5 seeds × (3 SDGD baselines at R = 100, the backward ones also checkpointed + STDE R = 100 and 16 + forward Laplacian).
  assert.equal(t3.length, 5 * 5 * 8);
  for (const e of ['nested-checkpointed', 'nested-batched-checkpointed']) assert.equal(t3.filter((c) => c.estimator === e && c.R === 100).length, 25);
  assert.ok(t3.every((c) => c.steps === 10_000 && c.width === 128 && c.depth === 4 && c.points === 100));
  const t6 = expandMatrix(getPreset('paper-table-6'), 'wasm');
  assert.ok(t6.some((c) => c.pde === 'poisson-three-body' && c.dim === 1_000_000 && c.R === 50));
  assert.ok(t6.some((c) => c.variant === 'published-incorrect source' && c.args.join(' ') === '--source published-incorrect'));
  const t8 = expandMatrix(getPreset('paper-table-8'), 'wasm');
  assert.ok(t8.every((c) => c.width === 1024 && c.R === 10 && c.args.join(' ') === '--preset published-tables'));
  const t10 = expandMatrix(getPreset('paper-table-10'), 'wasm');
  assert.deepEqual([...new Set(t10.map((c) => c.block))], [1, 10, 50, 100, 500, 1000]);
  assert.throws(() => getPreset('paper-table-99'), UsageError);
});

test('command-line matrices: one source only; --steps/--seeds override a preset; --pdes/--dims/--estimators/--R select from it', () => {
  assert.throws(() => resolveMatrix({ preset: 'quick', pdes: ['a'] }), /--pdes a: not in quick/);
  assert.throws(() => resolveMatrix({ preset: 'quick', dims: [5] }), /--dims 5: not in quick \(it has 100, 1000\)/);
  assert.throws(() => resolveMatrix({ preset: 'quick', width: 3 }), /--width cannot be combined/);
  assert.throws(() => resolveMatrix({ preset: 'quick', matrix: 'm.json' }), UsageError);
  // forward-laplacian runs with R = 0 only: each value exists, no group has them together
  assert.throws(() => resolveMatrix({ preset: 'quick', estimators: ['forward-laplacian'], R: [16] }), /no group of quick has such cells together/);
  const part = expandMatrix(resolveMatrix({ preset: 'paper-table-3', dims: [1_000_000], estimators: ['stde-sparse'], R: [16], seeds: [0] }), 'webgpu');
  assert.deepEqual(part.map((c) => [c.pde, c.dim, c.estimator, c.R, c.seed]), [['allen-cahn-two-body', 1_000_000, 'stde-sparse', 16, 0]]);
  const all = expandMatrix(getPreset('quick'), 'wasm');
  const some = expandMatrix(resolveMatrix({ preset: 'quick', dims: [1000] }), 'wasm');
  assert.deepEqual(some.map((c) => c.id), all.filter((c) => c.dim === 1000).map((c) => c.id)); // same cells, same settings
  assert.throws(() => resolveMatrix({}), UsageError);
  assert.throws(() => resolveMatrix({ pdes: ['a'] }), UsageError);
  const m = resolveMatrix({ preset: 'paper-table-4', steps: 50, seeds: [3] });
  assert.ok(m.groups.every((g) => g.steps === 50 && g.seeds.join() === '3'));
  const dir = tempDir('matrix-');
  writeFileSync(join(dir, 'm.json'), '{"groups": [');
  assert.throws(() => resolveMatrix({ matrix: join(dir, 'm.json') }), UsageError);
});

test('a matrix file: every group an object, no unknown key, a wrong value shown as the file spells it', () => {
  const dir = tempDir('matrix-');
  const group = { pdes: ['allen-cahn-two-body'], dims: [10], estimators: ['stde-sparse'], R: [4], seeds: [0], steps: 2 };
  const load = (m: object, flags = {}) => () => {
    writeFileSync(join(dir, 'm.json'), JSON.stringify({ name: 'm', ...m }));
    return resolveMatrix({ matrix: join(dir, 'm.json'), ...flags });
  };
  const usage = (re: RegExp) => (e: Error) => e instanceof UsageError && re.test(e.message) && !e.message.includes('\n');
  // Not a TypeError from reading a property of null, also where --dims reads the groups first.
  assert.throws(load({ groups: [null] }), usage(/^matrix m group 1: a group must be an object .*, got null$/));
  assert.throws(load({ groups: [group, 3] }, { dims: [10] }), usage(/^matrix m group 2: a group must be an object .*, got 3$/));
  assert.throws(() => expandMatrix({ name: 'x', description: '', groups: [null as unknown as MatrixGroup] }, 'wasm'), UsageError);
  // A misspelt key would leave its setting at the default: named, with the keys there are.
  assert.throws(load({ groups: [{ ...group, width: 8, depth: 2 }] }), usage(/^matrix m group 1: unknown key 'width', 'depth' \(known keys: pdes, dims, .*widths, depths, .*\)$/));
  assert.throws(load({ tabel: 'Table 3', groups: [group] }), usage(/^--matrix .*m\.json: unknown key 'tabel' \(known keys: name, description, table, backend, timeoutS, groups\)$/));
  assert.throws(load({ timeoutS: '300', groups: [group] }), usage(/'timeoutS' must be an integer ≥ 1, got "300" \(a string\)$/));
  assert.throws(load({ groups: [{ ...group, dims: ['10'] }] }), usage(/^matrix m group 1: 'dims' must hold integers ≥ 1, got "10" \(a string\)$/));
  assert.throws(load({ groups: [{ ...group, widths: 8 }] }), usage(/'widths' must be a non-empty list, got 8$/));
  assert.throws(load({ groups: [{ ...group, depths: [] }] }), usage(/'depths' must be a non-empty list, got \[\]$/)); // it ran the default depth
  assert.throws(load({ groups: [{ ...group, steps: undefined }] }), usage(/'steps' must hold integers ≥ 1, got nothing$/));
  assert.equal(expandMatrix(load({ groups: [{ ...group, widths: [8], depths: [2] }] })(), 'wasm')[0].id, 'allen-cahn-two-body_d10_stde-sparse_R4_w8_L2_B1_n2_wasm_s0');
});

test("an empty command-line list says so, not that the matrix has no groups", () => {
  const cl = { pdes: ['allen-cahn-two-body'], dims: [10], estimators: ['stde-sparse'] };
  const cases: [MatrixFlags, string][] = [
    [{ ...cl, pdes: [] }, '--pdes'], [{ ...cl, dims: [] }, '--dims'], [{ ...cl, estimators: [] }, '--estimators'], [{ ...cl, R: [] }, '--R'],
    [{ preset: 'quick', seeds: [] }, '--seeds'], [{ preset: 'quick', dims: [] }, '--dims'],
  ];
  for (const [flags, flag] of cases) {
    assert.throws(() => resolveMatrix(flags), (e: Error) => e instanceof UsageError && e.message.startsWith(`${flag}: empty list`), flag);
  }
});

test('a slot is a cell id less its steps and seed', () => {
  assert.deepEqual(slotOf('a_d10_e1_R4_wdef_Ldef_B1_p100_n5_wasm_s3'), { slot: 'a_d10_e1_R4_wdef_Ldef_B1_p100_wasm', steps: 5 });
  assert.deepEqual(slotOf('a_d10_e1_R4_wdef_Ldef_B1_n5_wasm_n7_s0'), { slot: 'a_d10_e1_R4_wdef_Ldef_B1_wasm_n7', steps: 5 }); // variant 'n7'
  assert.equal(slotOf('not-a-cell'), undefined);
});

test('--resume continues the run a folder holds: a part, the whole or added groups; other steps, cells or backend are refused', () => {
  const stored = (m: Matrix, argv = ['run']) => ({ matrix: m, backend: 'wasm', cells: expandMatrix(m, 'wasm').map((c) => c.id), invocations: [{ date: '', argv }] });
  const resume = (prev: ReturnType<typeof stored>, m: Matrix, backend = 'wasm') => () => refuseOtherRun('OUT', prev, prev.cells, { matrix: m, cells: expandMatrix(m, backend), backend });
  const usage = (re: RegExp) => (e: Error) => e instanceof UsageError && re.test(e.message) && !e.message.includes('\n');
  const ci = getPreset('ci');
  const part = resolveMatrix({ preset: 'ci', estimators: ['stde-sparse'], steps: 2 });
  resume(stored(part), part)(); // the same command
  resume(stored(part), resolveMatrix({ preset: 'ci', steps: 2 }))(); // then the whole
  resume(stored(ci), resolveMatrix({ preset: 'ci', estimators: ['stde-sparse'] }))(); // the whole, then a part
  resume(stored(ci), resolveMatrix({ preset: 'ci', seeds: [0, 1] }))(); // more seeds of the same cells
  resume(stored(tiny), { ...tiny, groups: [...tiny.groups, { ...tiny.groups[0], dims: [30] }] })(); // a file with a group added
  assert.throws(resume(stored(part), resolveMatrix({ preset: 'ci', estimators: ['stde-sparse'], steps: 3 })), usage(/^OUT holds allen-cahn-two-body_d100_stde-sparse_R16_w128_L4_B1_p100_n2_wasm_s0 \(2 steps\), and --resume continues that run: .*_n3_wasm_s0 would add the same cell at 3 steps; /));
  assert.throws(resume(stored(ci), resolveMatrix({ preset: 'ci', steps: 2 })), /would add the same cell/); // the whole at other steps
  assert.throws(resume(stored(tiny), { ...tiny, groups: [tiny.groups[0], { ...tiny.groups[1], steps: 6 }] }), /would add the same cell/); // a file's group edited
  // Edited in what the id leaves out (test points, evaluation, PDE options): the same id, another run.
  for (const edit of [{ testPoints: 7 }, { evalEvery: 3 }, { args: ['--sync-steps'] }]) {
    const edited = { ...tiny, groups: [{ ...tiny.groups[0], ...edit }, tiny.groups[1]] };
    assert.throws(resume(stored(tiny), edited), usage(/^OUT holds .* run as `train .*`, and --resume continues that run: this matrix runs it as `train .*`; resume with the settings it ran with/), JSON.stringify(edit));
  }
  assert.throws(resume(stored(ci), { ...ci, name: 'quick' }), usage(/holds a run of matrix 'ci'/));
  assert.throws(resume(stored(ci), ci, 'cpu'), usage(/^OUT holds a run on wasm, and --resume continues that one \(--backend wasm\); run cpu into another --out$/));
  // Command-line matrices are all named 'custom': told apart by their cells.
  const cl = { pdes: ['allen-cahn-two-body'], dims: [10], estimators: ['stde-sparse'], steps: 3 };
  const custom = stored(resolveMatrix(cl), ['run', '--steps', '3']);
  resume(custom, resolveMatrix(cl))();
  for (const other of [{ ...cl, steps: 5 }, { ...cl, dims: [20] }, { ...cl, dims: [10, 20] }, { ...cl, seeds: [1] }]) {
    assert.throws(resume(custom, resolveMatrix(other)), usage(/^OUT holds a run of other cells, and --resume continues that one \(stde-bench run --steps 3\); run these cells into another --out$/), JSON.stringify(other));
  }
});

test('a refused --resume touches nothing; an accepted one keeps every cell of the run in run.json', async () => {
  const dir = tempDir('resume-');
  const m: Matrix = { name: 't', description: '', groups: [{ pdes: ['allen-cahn-two-body'], dims: [10, 20], estimators: ['stde-sparse'], R: [4], seeds: [0], steps: 2 }] };
  const at = (dims: number[], steps = 2): Matrix => ({ ...m, groups: [{ ...m.groups[0], dims, steps }] });
  const [id10, id20] = expandMatrix(m, 'cpu').map((c) => c.id);
  // As a run.json from before `cells` was the union writes it: the last invocation ran d = 10 only.
  const prev = { matrix: at([10]), backend: 'cpu', cells: [id10], invocations: [{ date: '', argv: ['run'] }] };
  writeFileSync(join(dir, 'run.json'), JSON.stringify(prev));
  for (const id of [id10, id20]) appendRow(join(dir, 'results.csv'), row(id));
  const files = () => ['run.json', 'results.csv'].map((f) => readFileSync(join(dir, f), 'utf8'));
  const before = files();
  const opts = { outDir: dir, backend: 'cpu', timeoutS: 60, memoryMb: 1000, resume: true, log: () => {} };
  const resume = (x: Matrix) => runMatrix({ ...opts, matrix: x, cells: expandMatrix(x, 'cpu') });
  await assert.rejects(resume(at([10, 20], 3)), /d10_.* would add the same cell at 3 steps/);
  await assert.rejects(resume(at([20], 3)), /d20_.* would add the same cell at 3 steps/); // known from its row only
  assert.deepEqual(files(), before);
  // A part of the run, every cell done: nothing runs, and `cells` lists the whole run.
  const summary = await resume(at([10]));
  assert.deepEqual([summary.ran, summary.skipped], [0, 1]);
  const run = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'));
  assert.deepEqual([run.cells, run.invocations.length], [[id10, id20], 2]);
});

test('classification: caps, timeouts, WASM aborts, records and crashes', () => {
  const o = { timedOut: false, overMemoryCap: false, stdout: '', stderr: '' };
  const rec = { status: 'ok', it_per_s: 3, message: '' };
  assert.equal(classify({ ...o, exitCode: 0, stdout: `progress\n${JSON.stringify(rec)}\n` }).status, 'ok');
  assert.equal(classify({ ...o, exitCode: 0, stdout: JSON.stringify({ ...rec, status: 'diverged' }) }).status, 'diverged');
  // A later step out of heap: the record says oom and keeps the steps timed before it.
  const laterOom = classify({ ...o, exitCode: 0, stdout: JSON.stringify({ ...rec, status: 'oom', message: 'out of memory: … at step 9, after 8 of 20 steps' }) });
  assert.deepEqual([laterOom.status, laterOom.record?.it_per_s, laterOom.message], ['oom', 3, 'out of memory: … at step 9, after 8 of 20 steps']);
  assert.equal(classify({ ...o, exitCode: 0, stdout: 'no json' }).status, 'error');
  assert.equal(classify({ ...o, overMemoryCap: true, signal: 'SIGKILL' }, 100).status, 'oom');
  assert.equal(classify({ ...o, timedOut: true, signal: 'SIGKILL' }).status, 'timeout');
  assert.equal(classify({ ...o, exitCode: 7, stderr: 'RuntimeError: Aborted(). Build with -sASSERTIONS for more info.' }).status, 'oom');
  assert.equal(classify({ ...o, exitCode: 1, stderr: 'RangeError: WebAssembly.Memory(): could not allocate memory' }).status, 'oom');
  assert.equal(classify({ ...o, exitCode: 134, stderr: 'FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory' }).status, 'oom');
  assert.equal(classify({ ...o, signal: 'SIGKILL' }).status, 'oom');
  // What each allocator, runtime and our own refusals print when memory runs out (one line each).
  for (const line of [
    'stde-bench: out of memory: WASM allocation of 5.1 GB with 3.9 GB of the 4 GB heap in use',
    'stde-bench: impossible memory: d = 5000000 needs at least 9.3 GiB on the WASM heap',
    'Error: XNN status for xnn_create_fully_connected_nc_f32 is not successful. Got status 6. Use -c dbg to see XNN logs.',
    'Cannot enlarge memory arrays to size 4294967296 bytes (OOM).',
    'RangeError: Array buffer allocation failed',
    'RangeError: Invalid typed array length: 4294967296',
    'Error: spawn ENOMEM',
    "terminate called after throwing an instance of 'std::bad_alloc'",
  ]) {
    const v = classify({ ...o, exitCode: 1, stderr: `progress\n${line}\n    at somewhere (a.js:1)\n` });
    assert.deepEqual([v.status, v.message], ['oom', line], line); // the message is the line that says so, not the stack's last
  }
  const binding = 'Error: webgpu: the GPU rejected work, results are invalid: Binding size (512000000) of [Buffer (unlabeled)] is larger than the maximum storage buffer binding size (134217728).';
  assert.equal(classify({ ...o, exitCode: 1, stderr: binding }).status, 'oom');
  const crash = classify({ ...o, exitCode: 1, stderr: 'TypeError: x is not a function\n    at foo (a.ts:1)\n' });
  assert.equal(crash.status, 'error');
  assert.match(crash.message, /exit code 1/);
  assert.equal(classify({ ...o, exitCode: 2, stderr: 'stde-bench: unknown PDE' }).status, 'error');
  assert.deepEqual(parseRecord('{"a":1}\n{"b":2}\nnot json'), { b: 2 });
  // train stopped itself at its --time-limit: a timeout that keeps its record (steps done, timed).
  const stopped = classify({ ...o, exitCode: 0, stdout: JSON.stringify({ ...rec, status: 'timeout', message: 'stopped at the 5 s time limit after 7 of 100 steps' }) });
  assert.deepEqual([stopped.status, stopped.message, stopped.record?.it_per_s], ['timeout', 'stopped at the 5 s time limit after 7 of 100 steps', 3]);
  assert.equal(classify({ ...o, exitCode: 0, stdout: JSON.stringify({ ...rec, status: 'later' }) }).status, 'error');
  // The child's own limit leaves the runner's start-up margin: a tenth, within 10–60 s.
  assert.deepEqual([15, 120, 600, 3600, 43200, 5].map(childTimeLimitS), [5, 108, 540, 3540, 43140, 1]);
});

const row = (cell: string): Row => Object.fromEntries(COLUMNS.map((c) => [c, c === 'cell' ? cell : c === 'status' ? 'ok' : c === 'message' ? 'a "quoted", comma\nnewline' : c === 'dim' ? 100 : null])) as Row;

test('CSV rows are appended durably, read back typed, and a cut-off last line is repaired', () => {
  const dir = tempDir('csv-');
  const csv = join(dir, 'results.csv');
  appendRow(csv, row('c1'));
  appendRow(csv, row('c2'));
  const text = readFileSync(csv, 'utf8');
  assert.equal(text.split('\n')[0], COLUMNS.join(','));
  const rows = readRows(csv);
  assert.deepEqual(rows.map((r) => r.cell), ['c1', 'c2']);
  assert.equal(rows[0].dim, 100);
  assert.equal(rows[0].it_per_s, null);
  assert.equal(rows[1].message, 'a "quoted", comma\nnewline');
  appendFileSync(csv, 'c3,allen'); // a write cut short by kill -9
  assert.equal(repairTail(csv), 'c3,allen'.length);
  assert.deepEqual(readRows(csv).map((r) => r.cell), ['c1', 'c2']);
  assert.equal(repairTail(csv), 0);
  writeFileSync(join(dir, 'bad.csv'), 'cell,status\n"unterminated,ok\n');
  assert.throws(() => readRows(join(dir, 'bad.csv')), UsageError);
});

test('readRows gives every measurement and setting column back as a number, the text columns as text', () => {
  // A numeric column read back as text would blank its column in the report (rss_peak_mb did).
  const TEXT = ['cell', 'pde', 'estimator', 'backend', 'variant', 'status', 'timing', 'memory_probe', 'rss_probe', 'labels', 'started_at', 'message'];
  const csv = join(tempDir('csv-'), 'results.csv');
  // Every column holds a number-like value, so that only the reader's typing tells them apart.
  const written = Object.fromEntries(COLUMNS.map((c, i) => [c, c === 'status' ? 'ok' : c === 'dim' ? 100 : TEXT.includes(c) ? String(i) : i + 0.5])) as Row;
  appendRow(csv, written);
  const [back] = readRows(csv);
  for (const c of COLUMNS) {
    if (TEXT.includes(c)) assert.equal(back[c], String(written[c]), c);
    else assert.equal(back[c], written[c], `${c} read back as ${typeof back[c]}`);
  }
});

test('a results CSV from before the micro_batches / wasm_heap_mb columns is upgraded in place: rows kept, labels moved', () => {
  const dir = tempDir('csv-');
  const csv = join(dir, 'results.csv');
  const oldColumns = COLUMNS.filter((c) => c !== 'micro_batches' && c !== 'wasm_heap_mb');
  const value = (c: string, id: string) =>
    c === 'cell' ? id : c === 'dim' ? '100' : c === 'labels' ? 'micro_batches=2; sampler=radius-uniform; wasm_heap_mb=55' : c === 'message' ? '"a, b"' : c === 'status' ? 'ok' : '';
  writeFileSync(csv, [oldColumns.join(','), ...['c1', 'c2'].map((id) => oldColumns.map((c) => value(c, id)).join(','))].join('\n') + '\n');
  assert.deepEqual(upgradeColumns(csv), ['micro_batches', 'wasm_heap_mb']);
  assert.equal(readFileSync(csv, 'utf8').split('\n')[0], COLUMNS.join(','));
  const rows = readRows(csv);
  assert.deepEqual(rows.map((r) => [r.cell, r.dim, r.micro_batches, r.wasm_heap_mb, r.labels, r.message]), [
    ['c1', 100, 2, 55, 'sampler=radius-uniform', 'a, b'],
    ['c2', 100, 2, 55, 'sampler=radius-uniform', 'a, b'],
  ]);
  appendRow(csv, row('c3')); // and a resumed run appends under the same header
  assert.deepEqual(readRows(csv).map((r) => r.cell), ['c1', 'c2', 'c3']);
  assert.deepEqual(upgradeColumns(csv), [], 'current: untouched');
  // A column this version does not know: a usage error, the file as it was.
  const foreign = join(dir, 'foreign.csv');
  writeFileSync(foreign, 'cell,status,gpu_clock\nc1,ok,1\n');
  assert.throws(() => upgradeColumns(foreign), (e: Error) => e instanceof UsageError && /gpu_clock/.test(e.message));
  assert.equal(readFileSync(foreign, 'utf8'), 'cell,status,gpu_clock\nc1,ok,1\n');
});

test('runChild reads the last JSON line of a child, past any warning after it; a child without one fails as classify says', async () => {
  const { runChild } = await import('../benchmarks/runner/classify.ts');
  const node = (code: string, timeoutS = 30) => runChild(['-e', code], { timeoutS });
  const verdict = (r: Awaited<ReturnType<typeof node>>) => (r.ok ? 'ok' : `${r.status}: ${r.message}`);
  assert.deepEqual(await node('console.log("progress"); console.log(JSON.stringify({ a: 1 })); console.log("Warning: late")'), { ok: true, record: { a: 1 } });
  assert.match(verdict(await node('console.log("no record")')), /^error: exit 0 but no JSON record/);
  assert.match(verdict(await node('console.error("RuntimeError: Aborted()"); process.exit(7)')), /^oom: /);
  assert.match(verdict(await node('setTimeout(() => {}, 60_000)', 0.5)), /^timeout: /);
});

// Elsewhere than Linux the watch reads `ps -o rss=`, which has no high-water mark.
test('MemoryWatch keeps the peak of memory the child has freed before the first poll (kernel high-water mark), and caps the current RSS', { skip: !existsSync('/proc/self/status') && 'no /proc' }, async () => {
  const { MemoryWatch } = await import('../benchmarks/runner/memory-watch.ts');
  const { spawn } = await import('node:child_process');
  // ~190 MiB touched, freed, then idle: only VmHWM still shows it once 'freed' is printed.
  const child = spawn(process.execPath, ['--expose-gc', '-e', 'let b = Buffer.alloc(200e6, 1); b = null; gc(); console.log("freed"); setTimeout(() => {}, 30_000)'], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d) => String(d).includes('freed') && resolve());
      child.on('exit', (code) => reject(new Error(`child exited (${code}) before freeing`)));
    });
    let capped = false;
    const watch = new MemoryWatch(child.pid!, 150, () => (capped = true), 20).start();
    for (let i = 0; i < 100 && watch.peakMb === 0; i++) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 100)); // a few more polls
    watch.stop();
    assert.ok(watch.peakMb > 200e6 / 2 ** 20, `peak ${watch.peakMb} MB`);
    assert.equal(capped, false, 'the cap is on what the child holds now (~40 MB), not on its past peak');
  } finally {
    child.kill('SIGKILL');
  }
});

test('gitState names the commit and tracked changes only; writeMachineJson ends machine.json with a newline', async () => {
  const { gitState, writeMachineJson } = await import('../benchmarks/runner/machine.ts');
  const git = await gitState();
  assert.ok(git.commit === null ? git.dirty === null : /^[0-9a-f]{40}$/.test(git.commit), JSON.stringify(git));
  // On a checkout of its own: an untracked file is not a change; an edited tracked file is.
  const repo = tempDir('git-state-');
  const sh = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8' }).trim();
  sh('init', '-q');
  writeFileSync(join(repo, 'a.ts'), '1');
  sh('add', 'a.ts');
  sh('-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'a');
  writeFileSync(join(repo, 'untracked.ts'), '2');
  assert.deepEqual(await gitState(repo), { commit: sh('rev-parse', 'HEAD'), dirty: false });
  writeFileSync(join(repo, 'a.ts'), '3');
  assert.deepEqual(await gitState(repo), { commit: sh('rev-parse', 'HEAD'), dirty: true });
  assert.deepEqual(await gitState(tempDir('no-git-')), { commit: null, dirty: null });
  const file = join(tempDir('machine-'), 'machine.json');
  writeMachineJson(file, { backend: 'wasm', git });
  assert.equal(readFileSync(file, 'utf8'), JSON.stringify({ backend: 'wasm', git }, null, 2) + '\n');
});
