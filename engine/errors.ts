/** A problem with what the user asked for: the CLI prints its message on one line and exits 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export function usage(condition: unknown, message: string): asserts condition {
  if (!condition) throw new UsageError(message);
}

/** The entry of a registry with this name, or a UsageError that lists the names there are. */
export function byName<T extends { name: string }>(items: readonly T[], name: string, what: string): T {
  const found = items.find((x) => x.name === name);
  if (!found) throw new UsageError(`unknown ${what} '${name}' (expected one of: ${items.map((x) => x.name).join(', ')})`);
  return found;
}
