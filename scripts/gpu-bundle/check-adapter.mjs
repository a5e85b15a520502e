// The WebGPU adapter Dawn picks (high-performance, as tfjs does) and the libraries the launcher took
// from the bundle (env.sh). Without an adapter: each Vulkan driver manifest (ICD JSON) the loader would
// read, and whether its library loads — if not, the dynamic loader's reason (typically the one library
// the host lacks) — then exit 1. Run by check.sh with the path of the bundle's webgpu package.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const libs = process.env.STDE_BUNDLE_LIBS_USED || 'none';
let adapter = null;
let failure = '';
try {
  const { create, globals } = await import(process.argv[2]);
  Object.assign(globalThis, globals);
  adapter = await create([]).requestAdapter({ powerPreference: 'high-performance' });
} catch (e) {
  failure = ` (${String(e?.message ?? e).split('\n')[0]})`;
}
if (adapter) {
  const i = adapter.info;
  console.log('adapter:', [i.vendor, i.architecture, i.device, i.description].filter(Boolean).join(' '));
  console.log('libraries from the bundle:', libs);
  process.exit(0);
}

console.error(`check: no WebGPU adapter${failure}; libraries from the bundle: ${libs}`);
// The manifests to look at: the loader's override variables, else its standard folders and the one
// NVIDIA's container runtime mounts (env.sh points VK_DRIVER_FILES there when it is the only one).
const override = (process.env.VK_DRIVER_FILES || process.env.VK_ICD_FILENAMES || '').split(':').filter(Boolean);
const folders = ['/usr/local/share/vulkan/icd.d', '/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d', '/usr/local/nvidia/share/vulkan/icd.d'];
const manifests = override.length
  ? override
  : folders.filter(existsSync).flatMap((d) => readdirSync(d).filter((f) => f.endsWith('.json')).map((f) => join(d, f)));
if (!manifests.length) console.error('check: no Vulkan driver manifest (ICD JSON) found: install the driver, or set VK_DRIVER_FILES to its manifest');
for (const file of manifests) {
  let lib;
  try {
    lib = JSON.parse(readFileSync(file, 'utf8')).ICD.library_path;
  } catch (e) {
    console.error(`check: ${file}: not a readable driver manifest (${String(e?.message ?? e).split('\n')[0]})`);
    continue;
  }
  // A bare name is found on the library path, a relative path next to the manifest (as the loader does).
  const path = lib.includes('/') ? resolve(dirname(file), lib) : lib;
  try {
    process.dlopen({ exports: {} }, path);
    console.error(`check: ${file}: ${lib} loads`);
  } catch (e) {
    const msg = String(e?.message ?? e).split('\n')[0];
    // A library that loads but is no Node module is reported as such: that means it loaded.
    console.error(`check: ${file}: ${lib} ${/did not self-register/.test(msg) ? 'loads' : `does not load: ${msg}`}`);
  }
}
process.exit(1);
