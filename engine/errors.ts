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
