/**
 * Backend selection. The chosen backend is asserted after start-up: a failure is an error, never a
 * silent fallback to another backend (a benchmark number must say what produced it).
 */
import * as tf from '@tensorflow/tfjs';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { registerHigherOrderGradients } from './gradients.ts';
import { UsageError } from './errors.ts';
import { forgetOutOfMemory } from './out-of-memory.ts';
import { registerWasmKernelOverrides } from './simd/kernel-overrides.ts';
import './simd/tanh-jet.ts'; // the tanh 2-jet kernels of wasm and webgpu register as they load
import './webgpu/tanh-jet.ts';
import { guardWasmHeap } from './wasm-heap.ts';
import { forgetReservedGradients } from './wide-layer.ts';
import { setUpWebgpu } from './webgpu/webgpu.ts';

export const BACKENDS = ['wasm', 'cpu', 'webgpu', 'tensorflow'] as const;
export type BackendName = (typeof BACKENDS)[number];
export const DEFAULT_BACKEND: BackendName = 'wasm';

export interface BackendInfo {
  name: BackendName;
  /** The tfjs backend running, as tf.getBackend() names it: checked at start-up to be `name`, never another. */
  tfjsBackend: string;
  /** Versions of the packages that implement it. */
  versions: Record<string, string>;
  /** GPU adapter description where there is one. */
  adapter?: string;
}

const TF_GPU = '@tensorflow/tfjs-node-gpu';
const TF_CPU = '@tensorflow/tfjs-node';

/** An optional package, or undefined where it is not installed at all (not where it is, and fails). */
async function importIfInstalled(pkg: string, load: (pkg: string) => Promise<unknown>): Promise<Record<string, unknown> | undefined> {
  try {
    return (await load(pkg)) as Record<string, unknown>;
  } catch (e) {
    const why = (e as Error).message.split('\n')[0];
    // Its own name missing, not a file or library of an installed one (a broken CUDA, a missing binding).
    if (why.includes(`Cannot find package '${pkg}'`) || why.includes(`Cannot find module '${pkg}'`)) return undefined;
    const fix = pkg === TF_GPU ? `repair it, or uninstall it to run on ${TF_CPU} (CPU)` : 'repair or reinstall it';
    throw new UsageError(`backend 'tensorflow': ${pkg} is installed but failed to load (${why}); ${fix}`);
  }
}

/**
 * The TensorFlow C library's tfjs package: the GPU build where it is installed, else the CPU one. A GPU
 * build that is there but fails to load is an error, never a quiet run on the CPU.
 */
export async function tensorflowPackage(load: (pkg: string) => Promise<unknown> = (p) => import(p)): Promise<{ pkg: string; mod: Record<string, unknown> }> {
  for (const pkg of [TF_GPU, TF_CPU]) {
    const mod = await importIfInstalled(pkg, load);
    if (mod) return { pkg, mod };
  }
  throw new UsageError(
    `backend 'tensorflow' needs the optional package ${TF_CPU} or ${TF_GPU} (TensorFlow C library; the GPU build binds CUDA 11.2 + cuDNN 8): install one with 'npm install ${TF_CPU}'`,
  );
}

let current: BackendInfo | undefined;

export async function initEngine(name: string = DEFAULT_BACKEND): Promise<BackendInfo> {
  if (!(BACKENDS as readonly string[]).includes(name)) {
    throw new UsageError(`unknown backend '${name}' (expected one of: ${BACKENDS.join(', ')})`);
  }
  const backend = name as BackendName;
  if (current) {
    if (current.name !== backend) throw new Error(`engine already initialised with backend ${current.name}`);
    return current;
  }
  registerHigherOrderGradients();
  const versions: Record<string, string> = { '@tensorflow/tfjs': tf.version.tfjs };
  let adapter: string | undefined;
  const tfjsName: string = backend;
  if (backend === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    versions['@tensorflow/tfjs-backend-wasm'] = wasm.version_wasm;
    registerWasmKernelOverrides();
  } else if (backend === 'webgpu') {
    adapter = await setUpWebgpu();
    const w = await import('@tensorflow/tfjs-backend-webgpu');
    versions['@tensorflow/tfjs-backend-webgpu'] = (w as { version_webgpu?: string }).version_webgpu ?? tf.version.tfjs;
  } else if (backend === 'tensorflow') {
    const { pkg, mod } = await tensorflowPackage();
    versions[pkg] = String((mod.version as Record<string, string>)?.['tfjs-node'] ?? '');
  }
  const ok = await tf.setBackend(tfjsName);
  await tf.ready();
  if (!ok || tf.getBackend() !== tfjsName) {
    throw new UsageError(`backend '${backend}' failed to start (tfjs is running '${tf.getBackend()}'); refusing to fall back`);
  }
  // The cpu backend's first tensor prints a multi-line banner advising tfjs-node; the choice is made
  // (`--backend tensorflow` is that path), and the banner would break one-line errors on stderr.
  if (backend === 'cpu') (tf.backend() as unknown as { firstUse: boolean }).firstUse = false;
  if (backend === 'wasm') {
    guardWasmHeap();
    await (await import('./simd/simd.ts')).loadSimdKernels();
  }
  current = { name: backend, tfjsBackend: tfjsName, versions, adapter };
  return current;
}

/**
 * Drops every tensor and variable and starts the wasm backend again on a new heap. After an
 * allocation ran out of heap mid-step, tfjs's state cannot be trusted (the tape keeps what it saved,
 * a profile stays open, a kernel's first output leaks) and WASM memory never shrinks; a trainer that
 * wants to try a smaller step (benchmarks/training/fit-micro-batches.ts) starts over here. Every tensor made
 * before is invalid afterwards.
 */
export async function restartWasmEngine(): Promise<void> {
  if (current?.name !== 'wasm') throw new Error(`restartWasmEngine: the engine runs ${current?.name ?? 'nothing'}, not wasm`);
  tf.engine().reset(); // disposes the backend (its module and heap) and the engine's state; kernels stay registered
  forgetReservedGradients();
  forgetOutOfMemory();
  current = undefined;
  // The old heap (up to 2 GiB, written) is released only when V8 collects its module, which it may
  // do long after the new heap has grown: collect it now, after a turn of the event loop.
  await new Promise<void>((r) => setImmediate(r));
  collectGarbage();
  await initEngine('wasm');
}

/** V8's full collection, exposed at run time (Node has no API for it without --expose-gc at start). */
function collectGarbage(): void {
  v8.setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

export function engineInfo(): BackendInfo | undefined {
  return current;
}
