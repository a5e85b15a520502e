/**
 * Preloaded by `npm run test:webgpu` (node --import). dawn.node frees GPU objects in Node-API
 * finalizers, which Node runs only when the event loop turns; node:test runs synchronous tests
 * back to back without a turn, so a file of small synchronous tests adds up to one long stretch
 * (see engine/webgpu/webgpu.ts). Let the event loop turn before every test.
 */
import { beforeEach } from 'node:test';

beforeEach(() => new Promise<void>((resolve) => setImmediate(resolve)));
