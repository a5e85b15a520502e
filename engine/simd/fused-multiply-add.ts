/**
 * Fused multiply-add for three SIMD kernels (kernels.wat `product`, `sin_cos` and `tanh`), from
 * WebAssembly relaxed SIMD.
 *
 * They are bound by their floating-point ports: the product by its per-step eight 4-lane multiplies
 * and eight adds, sin_cos and tanh by their range reductions and polynomials. `f32x4.relaxed_madd` (and
 * `relaxed_nmadd`, c − a·b) does each multiply and add in one instruction where the CPU has FMA (x86
 * FMA3, ARM NEON): standalone, same process, [1600, 128]·[128, 128] 1.36 → 1.09 ms, sin_cos 1.82 →
 * 1.55 and tanh 2.9 → 2.6 ns per element. "Relaxed": the result may be fused (one rounding) or not,
 * as the hardware does it, so these kernels' last bits may differ between machines; `STDE_WASM_FMA=0`
 * keeps separate multiply and add. The other kernels keep their exact arithmetic: Adam is tested bit for bit against
 * the tf ops, and fusing Box–Muller (5 % faster) changed the last bits of 4 % of the normals.
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

/**
 * The kernels whose multiply-adds are fused, and how many each has (a changed kernel text fails
 * loudly instead of silently fusing more or less): the product's 4 × 8 accumulations; sin_cos's
 * reduction and polynomials, for its two vectors; tanh's polynomials and reduction.
 */
export const FUSED_KERNELS: Record<string, number> = { product: 8, sin_cos: 20, tanh: 13 };

/** A parsed s-expression of wat text: an atom, or a list. */
type Sexp = string | Sexp[];

/**
 * The s-expression that starts at text[from] (an open paren), and where it ends; `;;` comments dropped.
 * Enough for kernels.wat: no block comments, and its only strings are export names without spaces.
 */
function parseAt(text: string, from: number): { node: Sexp[]; end: number } {
  const stack: Sexp[][] = [];
  let i = from;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '(') {
      stack.push([]);
      i++;
    } else if (ch === ')') {
      const done = stack.pop()!;
      i++;
      if (stack.length === 0) return { node: done, end: i };
      stack[stack.length - 1].push(done);
    } else if (ch === ';' && text[i + 1] === ';') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (/\s/.test(ch)) {
      i++;
    } else {
      let j = i;
      while (j < text.length && !/[\s()]/.test(text[j])) j++;
      stack[stack.length - 1].push(text.slice(i, j));
      i = j;
    }
  }
  throw new Error('unbalanced parentheses in kernels.wat');
}

const print = (n: Sexp): string => (typeof n === 'string' ? n : `(${n.map(print).join(' ')})`);
const isMul = (n: Sexp): n is Sexp[] => Array.isArray(n) && n[0] === 'f32x4.mul' && n.length === 3;

/** −c: a splatted constant negated in the text, anything else by f32x4.neg. */
function negate(c: Sexp): Sexp {
  if (Array.isArray(c) && c[0] === 'f32x4.splat' && Array.isArray(c[1]) && c[1][0] === 'f32.const') {
    const k = c[1][1] as string;
    return ['f32x4.splat', ['f32.const', k.startsWith('-') ? k.slice(1) : `-${k}`]];
  }
  return ['f32x4.neg', c];
}

/** n with every a·b + c, c + a·b, c − a·b and a·b − c (f32x4, innermost first) as one fused operation. */
function fuse(n: Sexp, count: { fused: number }): Sexp {
  if (typeof n === 'string') return n;
  const m = n.map((x) => fuse(x, count));
  const [op, l, r] = m;
  let out: Sexp | null = null;
  if (op === 'f32x4.add' && m.length === 3) {
    if (isMul(l)) out = ['f32x4.relaxed_madd', l[1], l[2], r];
    else if (isMul(r)) out = ['f32x4.relaxed_madd', r[1], r[2], l];
  } else if (op === 'f32x4.sub' && m.length === 3) {
    if (isMul(r)) out = ['f32x4.relaxed_nmadd', r[1], r[2], l];
    else if (isMul(l)) out = ['f32x4.relaxed_madd', l[1], l[2], negate(r)];
  }
  if (!out) return m;
  count.fused += 1;
  return out;
}

/**
 * The kernels' text with the multiply-adds of FUSED_KERNELS, and only those, fused; the rest of the
 * text is untouched. Throws where a kernel is missing or no longer has the expected count.
 */
export function fuseMultiplyAdds(text: string): string {
  let out = text;
  for (const [name, expected] of Object.entries(FUSED_KERNELS)) {
    const start = out.indexOf(`(func (export "${name}")`);
    if (start < 0) throw new Error(`kernels.wat has no ${name} function to fuse`);
    const { node, end } = parseAt(out, start);
    const count = { fused: 0 };
    const fused = print(fuse(node, count));
    if (count.fused !== expected) throw new Error(`kernels.wat's ${name} has ${count.fused} multiply-adds to fuse, not ${expected}`);
    out = out.slice(0, start) + fused + out.slice(end);
  }
  return out;
}
