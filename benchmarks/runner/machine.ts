/**
 * machine.json: what produced the numbers (timings from different machines are comparable only as
 * ratios). The backend is started here once, which also rejects an unavailable backend before any
 * cell runs.
 */
import os from 'node:os';
import { closeSync, writeFileSync } from 'node:fs';
import { execa } from 'execa';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../../engine/backend.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface MachineInfo {
  date: string;
  node: string;
  backend: string;
  tfjsBackend: string;
  /** The backend's floating-point precision ('float32': tfjs has no float64; WebGL may give float16). */
  precision: string;
  versions: Record<string, string>;
  adapter: string | null;
  backendFlags: Record<string, unknown>;
  cpu: { model: string; count: number; availableParallelism: number };
  memoryMb: number;
  os: { platform: string; release: string; arch: string; version: string };
  hostname: string;
  git: GitState;
  /**
   * How the command ran (bin/stde-bench.mjs): 'build', its cached one-file build, or 'tsx', whose loader
   * adds ~100 MB to each process's RSS; null outside the command (tests, scripts).
   */
  launcher: string | null;
}

/** The checkout's commit, and whether tracked files differ from it; null where git cannot say (no checkout). */
export interface GitState {
  commit: string | null;
  dirty: boolean | null;
}

async function git(args: string[], cwd = ROOT): Promise<string | null> {
  const r = await execa('git', args, { cwd, reject: false });
  return r.exitCode === 0 ? String(r.stdout).trim() : null;
}

/**
 * Dirty means tracked changes only: untracked files (result folders, notes) are not code that ran,
 * and a new source file runs only if a tracked file imports it, an edit that makes the tree dirty.
 */
export async function gitState(checkout = ROOT): Promise<GitState> {
  const commit = await git(['rev-parse', 'HEAD'], checkout);
  const status = await git(['status', '--porcelain', '--untracked-files=no'], checkout);
  return { commit, dirty: status === null ? null : status.length > 0 };
}

/**
 * machine.json (or a run's copy with its resumes added), pretty-printed, ending with a newline: at a
 * path, or into a file descriptor made for it (closed after).
 */
export function writeMachineJson(path: string | number, machine: MachineInfo | Record<string, unknown>): void {
  writeFileSync(path, JSON.stringify(machine, null, 2) + '\n');
  if (typeof path === 'number') closeSync(path);
}

export async function describeMachine(backend: string): Promise<MachineInfo> {
  const info = await initEngine(backend);
  const flags: Record<string, unknown> = {};
  // WASM speed depends on SIMD and threads; other backends' flags would probe (and log about) WebGL.
  for (const f of info.name === 'wasm' ? ['WASM_HAS_SIMD_SUPPORT', 'WASM_HAS_MULTITHREAD_SUPPORT'] : []) {
    try {
      flags[f] = await tf.env().getAsync(f);
    } catch {
      /* flag not registered on this backend */
    }
  }
  // Our SIMD kernels' multiply-adds (product, sin_cos, tanh) fused by relaxed SIMD or not: their speed, and their last bits.
  if (info.name === 'wasm') flags.STDE_WASM_FMA = (await import('../../engine/simd/simd.ts')).kernelsFuseMultiplyAdds();
  const cpus = os.cpus();
  return {
    date: new Date().toISOString(),
    node: process.version,
    backend: info.name,
    tfjsBackend: info.tfjsBackend,
    precision: `float${tf.backend().floatPrecision()}`,
    versions: info.versions,
    adapter: info.adapter ?? null,
    backendFlags: flags,
    cpu: { model: cpus[0]?.model?.trim() ?? 'unknown', count: cpus.length, availableParallelism: os.availableParallelism() },
    memoryMb: Math.round(os.totalmem() / 2 ** 20),
    os: { platform: os.platform(), release: os.release(), arch: os.arch(), version: os.version() },
    hostname: os.hostname(),
    git: await gitState(),
    launcher: process.env.STDE_BENCH_LAUNCHER ?? null,
  };
}
