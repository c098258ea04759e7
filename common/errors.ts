import { terminalSafe } from './terminal-text.js';

/**
 * Groove's error classes, one per meaning. A {@link UserError} is the user's mistake (bad
 * input, a failed job, an unreachable master): the CLI prints its message alone, on one
 * line, and keeps any stack for debug logs. Anything else is a bug and is shown in full.
 */
export class GrooveError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A mistake the user can fix: a bad option, a missing input, a broken job file. */
export class UserError extends GrooveError {}

/** The job file does not bundle, does not load, or does not define a job. */
export class JobFileError extends UserError {
  constructor(
    readonly file: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${file}: ${message}`, options);
  }
}

/** A job ended in the failed or killed state. */
export class JobFailedError extends UserError {
  constructor(
    readonly jobId: string,
    message: string,
  ) {
    super(`job ${jobId} failed: ${message}`);
  }
}

/** The master could not be reached or did not answer. */
export class MasterUnavailableError extends UserError {
  constructor(
    readonly address: string,
    options?: { cause?: unknown },
  ) {
    super(`cannot reach the master at ${address}`, options);
  }
}

/** The master or a worker refused a request (unknown job, bad argument). */
export class RequestRejectedError extends UserError {}

/**
 * What a request names does not exist: an unknown job, a map output or result a worker
 * does not hold. Sent as gRPC NOT_FOUND and turned back into this class by the client.
 */
export class NotFoundError extends RequestRejectedError {}

/**
 * A request refused for a reason of the caller's configuration, which trying again cannot
 * change (a worker whose data address the master cannot reach): sent as FAILED_PRECONDITION.
 */
export class PreconditionFailedError extends UserError {}

/** Flattens any message to one line, control characters escaped, so it prints safely as one line. */
export function oneLine(text: string): string {
  return terminalSafe(text.replace(/\s*[\r\n]+\s*/g, ' ').trim());
}

/** The one-line message of anything thrown. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return oneLine(err.message || err.name);
  return oneLine(String(err));
}
