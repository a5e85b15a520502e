/**
 * The GPU bundle (scripts/make-gpu-bundle.ts) builds and passes its own smoke test under lavapipe
 * (run with STDE_TEST_BACKEND=webgpu, i.e. `npm run test:webgpu`; skipped otherwise): the CLI runs
 * from the bundle, check.sh finds the adapter with the host's libraries and with every shipped one
 * forced, fails naming the library of a driver that cannot load, and diagnose.sh measures a tiny cell,
 * rejects an unknown option and reports failed measurements (the assertions are the script's own).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { TEST_BACKEND } from './helpers.ts';
import { tempDir } from './temp-dirs.ts';

const skip = TEST_BACKEND === 'webgpu' ? false : 'only with STDE_TEST_BACKEND=webgpu (npm run test:webgpu)';
const root = join(import.meta.dirname, '..');

test('the GPU bundle builds and passes its smoke test', { skip, timeout: 300_000 }, async () => {
  const tmp = tempDir('stde-bundle-test-');
  try {
    const out = join(tmp, 'gpu-bundle');
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/make-gpu-bundle.ts', '--out', out, '--smoke'], {
      cwd: root,
      maxBuffer: 64 * 1024 * 1024,
    });
    assert.match(stdout, /make-gpu-bundle: smoke: ok/);
    const info = JSON.parse(readFileSync(join(out, 'BUNDLE.json'), 'utf8')) as { fallbackLibraries: Record<string, string> };
    // The Vulkan loader is always shipped (setup-webgpu.sh installs it here), each library in its own folder.
    assert.ok(info.fallbackLibraries['libvulkan.so.1'], 'the bundle ships no Vulkan loader');
    for (const soname of Object.keys(info.fallbackLibraries)) assert.ok(existsSync(join(out, 'lib', soname, soname)), `lib/${soname}/${soname} missing`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
