/**
 * Fused multiply-add for the SIMD product (kernels.wat `product`), from WebAssembly relaxed SIMD.
 *
 * The product is bound by its floating-point ports: per step of K, eight 4-lane multiplies and eight
 * adds. `f32x4.relaxed_madd` does each pair in one instruction where the CPU has FMA (x86 FMA3, ARM
 * NEON), so the product runs ~1.25× faster ([1600, 128]·[128, 128] 1.36 → 1.09 ms, standalone, same
 * process). "Relaxed": the result may be fused (one rounding) or not, as the hardware does it, so the
 * product's last bits may differ between machines; `STDE_WASM_FMA=0` keeps separate multiply and add.
 *
 * Node ≥ 22 has relaxed SIMD on; Node 20's V8 has it behind `--experimental-wasm-relaxed-simd`, which
 * is set here (before our module compiles) where a probe module does not validate without it.
 */
import v8 from 'node:v8';

/** The wabt features needed to parse relaxed SIMD text. */
export const RELAXED_FEATURES = { simd: true, relaxed_simd: true };

const PROBE = '(module (func (param v128 v128 v128) (result v128) (f32x4.relaxed_madd (local.get 0) (local.get 1) (local.get 2))))';

/**
 * Whether this V8 runs relaxed SIMD, after turning on Node 20's flag where needed; false where the
 * user opted out (STDE_WASM_FMA=0). `toBinary` compiles wat text with RELAXED_FEATURES.
 */
export function relaxedSimdAvailable(toBinary: (wat: string) => Uint8Array<ArrayBuffer>): boolean {
  if (process.env.STDE_WASM_FMA === '0') return false;
  const probe = toBinary(PROBE);
  if (WebAssembly.validate(probe)) return true;
  v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
  return WebAssembly.validate(probe);
}

const MULTIPLY_ADD = /\(f32x4\.add \(local\.get (\$\w+)\) \(f32x4\.mul \(local\.get (\$\w+)\) \(local\.get (\$\w+)\)\)\)/g;

/**
 * The kernels' text with the accumulations c + a·b of the `product` function, and only those,
 * written as relaxed_madd(a, b, c); the other kernels keep their exact arithmetic (Adam is tested bit
 * for bit against tf ops). Throws where the product's text no longer has the form this expects.
 */
export function fuseProductMultiplyAdds(text: string): string {
  const start = text.indexOf('(func (export "product")');
  const end = text.indexOf('(func ', start + 1);
  if (start < 0 || end < 0) throw new Error('kernels.wat has no product function to fuse');
  let count = 0;
  const fused = text.slice(start, end).replace(MULTIPLY_ADD, (_, c, a, b) => {
    count += 1;
    return `(f32x4.relaxed_madd (local.get ${a}) (local.get ${b}) (local.get ${c}))`;
  });
  if (count !== 8) throw new Error(`kernels.wat's product has ${count} multiply-adds to fuse, not the 8 of its 4 × 8 block`);
  return text.slice(0, start) + fused + text.slice(end);
}
