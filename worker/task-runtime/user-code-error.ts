/**
 * An exception thrown by the job's own code (or by a value it emitted that Groove cannot
 * encode). It is the user's to fix, so it is reported with their message and stack and
 * where it happened, never as an internal failure.
 */
export class UserCodeError extends Error {
  constructor(
    readonly phase: 'map' | 'combine' | 'reduce' | 'partition',
    readonly original: unknown,
    readonly where: string,
  ) {
    const inner = original instanceof Error ? `${original.name}: ${original.message}` : String(original);
    super(`${phase} threw on ${where}: ${inner}`);
    this.name = 'UserCodeError';
    if (original instanceof Error && original.stack) this.stack = original.stack;
  }
}
