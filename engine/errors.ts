/** A problem with what the user asked for: the CLI prints its message on one line and exits 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

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

export function usage(condition: unknown, message: string): asserts condition {
  if (!condition) throw new UsageError(message);
}

/** The entry of a registry with this name, or a UsageError that lists the names there are. */
export function byName<T extends { name: string }>(items: readonly T[], name: string, what: string): T {
  const found = items.find((x) => x.name === name);
  if (!found) throw new UsageError(`unknown ${what} '${name}' (expected one of: ${items.map((x) => x.name).join(', ')})`);
  return found;
}

/** A misspelt key in a user's JSON file would be ignored and its setting left at the default: refused, naming it. */
export function refuseUnknownKeys(o: object, known: readonly string[], where: string): void {
  const unknown = Object.keys(o).filter((k) => !known.includes(k));
  if (unknown.length) throw new UsageError(`${where}: unknown key ${unknown.map((k) => `'${k}'`).join(', ')} (known keys: ${known.join(', ')})`);
}

/**
 * A backend's `time(f)` (what tf.profile times each kernel with) that throws f's error synchronously.
 * tfjs's backends make `time` async, so a kernel's throw became a rejected promise nobody awaits (in
 * Node, a fatal unhandled rejection) and tf.profile failed on the kernel's missing outputs instead.
 */
export function timeRethrows(time: (f: () => void) => Promise<unknown>): (f: () => void) => Promise<unknown> {
  return function (this: unknown, f: () => void) {
    let thrown: { error: unknown } | undefined;
    const timing = time.call(this, () => {
      try {
        f();
      } catch (error) {
        thrown = { error };
        throw error;
      }
    });
    if (thrown) {
      timing.catch(() => {}); // the same error, already on its way up
      throw thrown.error;
    }
    return timing;
  };
}
