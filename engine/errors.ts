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

/** A misspelt key in a user's JSON file would be ignored and its setting left at the default: refused, naming it. */
export function refuseUnknownKeys(o: object, known: readonly string[], where: string): void {
  const unknown = Object.keys(o).filter((k) => !known.includes(k));
  if (unknown.length) throw new UsageError(`${where}: unknown key ${unknown.map((k) => `'${k}'`).join(', ')} (known keys: ${known.join(', ')})`);
}
