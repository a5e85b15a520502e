#!/usr/bin/env node
// Entry point: the TypeScript CLI without a build step. It runs from a cached one-file build that is
// rebuilt whenever a source changes (bin/cli-build.mjs; it starts ~1 s sooner), or through tsx where
// no build can be made, or when STDE_BENCH_TSX=1 (a bug's stack then names the TypeScript lines; the
// build's stack names its own, under a comment naming each source file).
import { cachedCli } from './cli-build.mjs';

const built = process.env.STDE_BENCH_TSX === '1' ? null : await cachedCli().catch(() => null);
if (built) {
  await import(built);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../cli/main.ts');
}
