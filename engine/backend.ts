/**
 * Backend selection. The chosen backend is asserted after start-up: a failure is an error, never a
 * silent fallback to another backend (a benchmark number must say what produced it).
 */
import * as tf from '@tensorflow/tfjs';
import { registerHigherOrderGradients } from './gradients.ts';
import { UsageError } from './errors.ts';
import { registerWasmKernelOverrides } from './simd/kernel-overrides.ts';
import './simd/tanh-jet.ts'; // the tanh 2-jet kernels of wasm and webgpu register as they load
import './webgpu/tanh-jet.ts';
import { guardWasmHeap } from './wasm-heap.ts';
import { setUpWebgpu } from './webgpu/webgpu.ts';

export const BACKENDS = ['wasm', 'cpu', 'webgpu', 'tensorflow'] as const;
export type BackendName = (typeof BACKENDS)[number];
export const DEFAULT_BACKEND: BackendName = 'wasm';

export interface BackendInfo {
  name: BackendName;
  /** The tfjs backend actually running (tensorflow → 'tensorflow'). */
  tfjsBackend: string;
  /** Versions of the packages that implement it. */
  versions: Record<string, string>;
  /** GPU adapter description where there is one. */
  adapter?: string;
}

async function loadOptional(pkg: string): Promise<Record<string, unknown>> {
  try {
    return (await import(pkg)) as Record<string, unknown>;
  } catch (e) {
    const why = (e as Error).message.split('\n')[0];
    throw new UsageError(
      `backend 'tensorflow' needs the optional package ${pkg} (TensorFlow C library; the GPU build binds CUDA 11.2 + cuDNN 8): install it with 'npm install ${pkg}' (${why})`,
    );
  }
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
    let mod: Record<string, unknown>;
    try {
      mod = await loadOptional('@tensorflow/tfjs-node-gpu');
      versions['@tensorflow/tfjs-node-gpu'] = String((mod.version as Record<string, string>)?.['tfjs-node'] ?? '');
    } catch {
      mod = await loadOptional('@tensorflow/tfjs-node');
      versions['@tensorflow/tfjs-node'] = String((mod.version as Record<string, string>)?.['tfjs-node'] ?? '');
    }
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

export function engineInfo(): BackendInfo | undefined {
  return current;
}
