/**
 * The first out-of-memory refusal in this process (engine/wasm-heap.ts's guard). Thrown inside a
 * kernel, it leaves tfjs's state half-updated, and a later error may be a consequence that does not
 * name it, so whoever reports a failure asks this rather than trusting the error it caught.
 */
let outOfMemory: string | null = null;
export const noteOutOfMemory = (message: string): void => void (outOfMemory ??= message);
/** A restarted engine (engine/backend.ts) starts on a fresh heap: what failed before is behind it. */
export const forgetOutOfMemory = (): void => void (outOfMemory = null);
/** The out-of-memory message behind failure `e`, if memory was what failed. */
export const outOfMemoryBehind = (e: unknown): string | null =>
  outOfMemory ?? (e instanceof RangeError && /^out of memory/.test(e.message) ? e.message : null);
