/**
 * Threefry-2x32's rotation constants and key-schedule parity (Salmon et al., Random123), shared by the
 * JS generator (sampling/threefry.ts) and the WGSL kernel (engine/webgpu/random.ts), which the JS one
 * imports; the WAT kernel (engine/simd/kernels.wat) writes them as literals, and tests check all three
 * against Random123's known answers through the JS one.
 */
export const THREEFRY_ROTATIONS = [13, 15, 26, 6, 17, 29, 16, 24] as const;
export const THREEFRY_PARITY = 0x1bd11bda;
