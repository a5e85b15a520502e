/**
 * `stde-bench ab --base REV -- <run selection>`: an interleaved A/B benchmark of two versions of
 * this project on one machine. A committed baseline was measured in another hour, and this VM's
 * speed drifts by 15–25 % between hours (the `ci` cells read 12–20 % "slower" than a baseline of the
 * same morning, while the baseline's own commit, run beside them, was as slow): only runs taken
 * side by side compare. The base (and --head, else this working tree) runs from a git worktree;
 * the two sides take turns for --rounds rounds, the first side alternating, each round one `run` of
 * the selection; each side's rounds are pooled (benchmarks/compare/pool-rounds.ts) and compared as
 * `compare` does. Exit 1 on a regression of the head against the base, or a cell the head times
 * differently (one step in flight or not), which leaves it unchecked.
 */
import type { Command } from 'commander';
import { execa } from 'execa';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../../engine/errors.ts';
import { gitState } from '../../benchmarks/runner/machine.ts';
import { int, nonEmptyPath, verdictOptions } from '../options.ts';
import { makeOutDir, stampedOutDir } from '../out-dir.ts';
import { poolRounds } from '../../benchmarks/compare/pool-rounds.ts';
import { compareAndExit } from './compare.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

interface Opts {
  base: string;
  head?: string;
  rounds: number;
  out?: string;
  factor: number;
  alpha: number;
}

const git = async (args: string[]) => (await execa('git', args, { cwd: ROOT })).stdout.trim();

/** ab builds its sides from git worktrees: a copy of the project without its history cannot. */
async function assertCheckout(): Promise<void> {
  const inside = await execa('git', ['rev-parse', '--is-inside-work-tree'], { cwd: ROOT, reject: false });
  if (inside.stdout.trim() !== 'true') throw new UsageError(`ab needs a git checkout of stde-bench, and ${ROOT} is not one (clone the repository to compare commits)`);
}

/** The commit `rev` names, or a usage error. */
async function commitOf(rev: string): Promise<string> {
  try {
    return await git(['rev-parse', '--verify', `${rev}^{commit}`]);
  } catch {
    throw new UsageError(`--base/--head ${rev}: not a commit of this repository`);
  }
}

/** A detached worktree of `commit` in `dir`, with this checkout's node_modules if its lock file is the same (else npm ci). */
async function worktree(commit: string, dir: string): Promise<void> {
  await git(['worktree', 'add', '--detach', dir, commit]);
  const lock = (p: string) => (existsSync(p) ? readFileSync(p, 'utf8') : '');
  if (lock(join(dir, 'package-lock.json')) === lock(join(ROOT, 'package-lock.json'))) symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  else await execa('npm', ['ci', '--no-audit', '--no-fund'], { cwd: dir, stdio: 'inherit' });
}

export function register(program: Command): void {
  const cmd = program
    .command('ab')
    .description('interleaved A/B benchmark: the same run selection from two commits (or a commit and this working tree), in alternating rounds, pooled and compared')
    .requiredOption('--base <rev>', 'the baseline commit')
    .option('--head <rev>', 'the commit to test (default: this working tree, uncommitted changes included)')
    .option('--rounds <n>', 'rounds; each runs the selection once per side, the first side alternating', int('rounds', 1), 3)
    .option('--out <dir>', 'output folder (default: results/ab-YYYYMMDD-HHMMSS)', nonEmptyPath('out'))
    .argument('<selection...>', 'after --: what `stde-bench run` should run, e.g. -- --preset ci (no --out)');
  verdictOptions(cmd).action(async (selection: string[], o: Opts) => {
    if (selection.some((a) => a === '--out' || a.startsWith('--out=') || a === '--resume')) throw new UsageError('ab chooses the folders: give the selection without --out or --resume');
    // Rounds of a run that runs nothing would pool and compare nothing, after making worktrees for it.
    const lister = selection.find((a) => a === '--dry-run' || a === '--list-presets');
    if (lister) throw new UsageError(`ab runs the selection: give it without ${lister}`);
    const out = o.out ?? stampedOutDir('ab');
    // Round folders of an earlier run there would make every round's `run` refuse its --out, midway.
    if (existsSync(out) && (!statSync(out).isDirectory() || readdirSync(out).length)) throw new UsageError(`--out ${out} already exists and is not an empty folder (an earlier A/B run is kept); choose another --out`);
    await assertCheckout();
    const base = await commitOf(o.base);
    const head = o.head === undefined ? null : await commitOf(o.head);
    const dry = await execa(process.execPath, [join(ROOT, 'bin', 'stde-bench.mjs'), 'run', ...selection, '--dry-run'], { reject: false });
    if (dry.exitCode !== 0) throw new UsageError(`the selection: ${String(dry.stderr).trim().replace(/^stde-bench: /, '')}`);
    makeOutDir(out);
    const roundDir = (side: string, round: number) => join(out, side, `round-${round}`);
    const trees = mkdtempSync(join(tmpdir(), 'stde-ab-'));
    const sides: Record<'base' | 'head', string> = { base: join(trees, 'base'), head: head ? join(trees, 'head') : ROOT };
    let failed = '';
    try {
      await worktree(base, sides.base);
      if (head) await worktree(head, sides.head);
      const here = head ? null : await gitState(); // dirty as machine.json says it: tracked changes
      writeFileSync(join(out, 'ab.json'), JSON.stringify({ base, head: head ?? `${here!.commit}${here!.dirty ? ' + uncommitted changes' : ''}`, rounds: o.rounds, selection, date: new Date().toISOString() }, null, 2) + '\n');
      rounds: for (let round = 1; round <= o.rounds; round++) {
        const order = round % 2 === 1 ? (['base', 'head'] as const) : (['head', 'base'] as const);
        for (const side of order) {
          process.stderr.write(`ab: round ${round}/${o.rounds}, ${side}\n`);
          const r = await execa(process.execPath, [join(sides[side], 'bin', 'stde-bench.mjs'), 'run', ...selection, '--out', roundDir(side, round)], { reject: false, stdout: 'ignore', stderr: 'inherit' });
          if (r.exitCode !== 0) {
            failed = `ab: the ${side} side's run of round ${round} failed (exit ${r.exitCode}; its output is above, its folder ${roundDir(side, round)})`;
            break rounds;
          }
        }
      }
    } finally {
      for (const side of ['base', 'head'] as const) if (sides[side] !== ROOT && existsSync(sides[side])) await git(['worktree', 'remove', '--force', sides[side]]);
      rmSync(trees, { recursive: true, force: true });
    }
    if (failed) {
      process.stderr.write(`${failed}\n`);
      process.exitCode = 1;
      return;
    }
    for (const side of ['base', 'head']) poolRounds(Array.from({ length: o.rounds }, (_, i) => roundDir(side, i + 1)), join(out, side, 'pooled'));
    compareAndExit(join(out, 'base', 'pooled'), join(out, 'head', 'pooled'), o, join(out, 'compare.txt'));
  });
}
