/**
 * Work that must happen however a command ends: `mr run` stops its embedded cluster and
 * removes its temporary data dir when its reader goes away (EPIPE), on SIGINT or SIGTERM,
 * as well as when it returns or throws. Each way out that would otherwise call
 * `process.exit` at once calls {@link exitAfterCleanup} instead.
 */

/** How long the cleanups may take before the process exits anyway: nothing waits forever. */
export const CLEANUP_TIMEOUT_MS = 15_000;

const cleanups = new Set<() => Promise<void>>();
let exiting = false;

/** Registers a cleanup to run before {@link exitAfterCleanup} exits; returns its removal. */
export function atExit(cleanup: () => Promise<void>): () => void {
  cleanups.add(cleanup);
  return () => {
    cleanups.delete(cleanup);
  };
}

/**
 * Runs every registered cleanup (at most {@link CLEANUP_TIMEOUT_MS}), then exits with
 * `code`. A second call while they run (a second Ctrl-C) exits at once.
 */
export function exitAfterCleanup(code: number): void {
  if (exiting) process.exit(code);
  exiting = true;
  setTimeout(() => process.exit(code), CLEANUP_TIMEOUT_MS).unref();
  void Promise.allSettled([...cleanups].map((cleanup) => cleanup())).then(() => process.exit(code));
}

/** Exit status of a process ended by a signal, as shells report it (128 + its number). */
export const SIGNAL_EXIT_CODES: Readonly<Record<'SIGINT' | 'SIGTERM', number>> = { SIGINT: 130, SIGTERM: 143 };

/**
 * Until the returned function is called, SIGINT and SIGTERM run the cleanups and exit with
 * the signal's status, instead of ending the process before they can run.
 */
export function cleanupOnSignals(): () => void {
  const handlers = (['SIGINT', 'SIGTERM'] as const).map((signal) => {
    const handler = (): void => exitAfterCleanup(SIGNAL_EXIT_CODES[signal]);
    process.on(signal, handler);
    return () => process.off(signal, handler);
  });
  return () => handlers.forEach((off) => off());
}
