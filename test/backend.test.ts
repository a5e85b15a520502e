/**
 * `--backend tensorflow`: which optional package it takes, and that a broken GPU build is an error, not a
 * quiet CPU run. And one engine per process: a second backend is refused, not switched to mid-run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initEngine, tensorflowPackage } from '../engine/backend.ts';
import { UsageError } from '../engine/errors.ts';

const GPU = '@tensorflow/tfjs-node-gpu';
const CPU = '@tensorflow/tfjs-node';
const absent = (pkg: string) => Promise.reject(new Error(`Cannot find package '${pkg}' imported from /x/engine/backend.js`));
const loader = (found: Record<string, () => Promise<unknown>>) => (pkg: string) => (found[pkg] ?? (() => absent(pkg)))();

test('the engine starts once: the same backend again is the same engine, another is refused', async () => {
  const first = await initEngine('cpu'); // no wasm compile: this file's only engine
  assert.equal(await initEngine('cpu'), first);
  await assert.rejects(initEngine('wasm'), /engine already initialised with backend cpu/);
  await assert.rejects(initEngine('tpu'), (e: Error) => e instanceof UsageError && /unknown backend 'tpu'/.test(e.message));
});

test('the GPU build where it is installed, else the CPU one, else one line naming both', async () => {
  assert.equal((await tensorflowPackage(loader({ [GPU]: async () => ({ gpu: true }), [CPU]: async () => ({}) }))).pkg, GPU);
  assert.equal((await tensorflowPackage(loader({ [CPU]: async () => ({ cpu: true }) }))).pkg, CPU);
  await assert.rejects(tensorflowPackage(loader({})), (e) => e instanceof UsageError && /needs the optional package @tensorflow\/tfjs-node or @tensorflow\/tfjs-node-gpu .*'npm install @tensorflow\/tfjs-node'$/.test(e.message));
});

test('an installed GPU build that fails to load (its CUDA, its binding) is refused with its reason, not replaced by the CPU build', async () => {
  const broken = () => Promise.reject(new Error("libcudart.so.11.0: cannot open shared object file: No such file or directory\n    at ..."));
  await assert.rejects(
    tensorflowPackage(loader({ [GPU]: broken, [CPU]: async () => ({}) })),
    (e) => e instanceof UsageError && e.message === `backend 'tensorflow': ${GPU} is installed but failed to load (libcudart.so.11.0: cannot open shared object file: No such file or directory); repair it, or uninstall it to run on ${CPU} (CPU)`,
  );
  // A file of the installed package missing (its native binding) is a failure too, though it names the package's path.
  const binding = () => Promise.reject(new Error(`Cannot find module '/x/node_modules/${GPU}/lib/napi-v8/tfjs_binding.node'`));
  await assert.rejects(tensorflowPackage(loader({ [GPU]: binding })), /is installed but failed to load/);
});
