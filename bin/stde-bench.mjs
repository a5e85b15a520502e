#!/usr/bin/env node
// Entry point: the TypeScript CLI without a build step. It runs from a cached one-file build that is
// rebuilt whenever a source changes (bin/cli-build.mjs; it starts ~1.5 s sooner), or through tsx where
// no build can be made, or when STDE_BENCH_TSX=1 (a bug's stack then names the TypeScript lines; the
// build's stack names its own, under a comment naming each source file).
import { pathToFileURL } from 'node:url';
import { cachedCli } from './cli-build.mjs';

/** The build, or false where there is none (or it was cleaned up between finding and loading it). */
async function runBuilt() {
  const built = process.env.STDE_BENCH_TSX === '1' ? null : await cachedCli().catch(() => null);
  if (!built) return false;
  const url = pathToFileURL(built).href;
  process.env.STDE_BENCH_LAUNCHER = 'build'; // machine.json says how the command ran
  try {
    await import(url);
    return true;
  } catch (e) {
    if (e?.code === 'ERR_MODULE_NOT_FOUND' && String(e.message).includes(built)) return false;
    throw e;
  }
}

if (!(await runBuilt())) {
  process.env.STDE_BENCH_LAUNCHER = 'tsx';
  const { register } = await import('tsx/esm/api');
  register();
  await import('../cli/main.ts');
}
