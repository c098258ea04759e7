import * as grpc from '@grpc/grpc-js';
import { backoffDelay, durationText, NotFoundError, UserError } from '../common/index.js';
import type { JobEvent__Output } from '../proto/wire/generated/groove/JobEvent';
import type { JobStatus__Output } from '../proto/wire/generated/groove/JobStatus';
import { fromServiceError } from './rpc.js';

/** How long a watch keeps trying to reach a master it lost before it gives up, ms (`--reconnect-timeout`). */
export const DEFAULT_RECONNECT_TIMEOUT_MS = 60_000;
/** First delay before reconnecting, ms; it doubles up to {@link RECONNECT_MAX_DELAY_MS}, with jitter. */
const RECONNECT_FIRST_DELAY_MS = 100;
const RECONNECT_MAX_DELAY_MS = 2000;
/** Deadline of the status call that checks a master is back (and still knows the job), ms. */
const PROBE_TIMEOUT_MS = 5000;

/** Options of a watch that rides through a master's restart or a cut link. */
export interface WatchOptions {
  /**
   * How long to keep reconnecting after the master became unreachable, ms; then the watch
   * fails with a one-line error naming the master. Default {@link DEFAULT_RECONNECT_TIMEOUT_MS};
   * 0: fail at the first loss.
   */
  readonly reconnectTimeoutMs?: number;
  /** Called once per outage, when the master is first found unreachable (the CLI prints one line). */
  readonly onReconnecting?: (master: string, why: string) => void;
}

/** What a reconnecting watch needs of its client: the master's stream, a status call, a fresh channel. */
export interface WatchTarget {
  /** host:port of the master, for messages. */
  readonly master: string;
  /** Opens the job's event stream (its events so far, then live ones until it ends). */
  open(jobId: string): grpc.ClientReadableStream<JobEvent__Output>;
  /** The job's status, with a deadline. */
  probe(jobId: string, timeoutMs: number): Promise<JobStatus__Output>;
  /** Drops the current channel for a new one, so that a reconnect does not wait out the old channel's own backoff. */
  renew(): void;
}

/** gRPC codes after which the master may well answer again: it went away, or the connection did. */
const TRANSIENT = new Set([grpc.status.UNAVAILABLE, grpc.status.DEADLINE_EXCEEDED, grpc.status.CANCELLED]);

/** Whether an error of the stream or of the probe means "try again" rather than "the master said no". */
function isTransient(err: unknown): boolean {
  const e = err as Partial<grpc.ServiceError>;
  if (typeof e.code !== 'number') return false;
  if (TRANSIENT.has(e.code)) return true;
  // A connection reset in the middle of a stream surfaces as INTERNAL from the HTTP/2 layer.
  return e.code === grpc.status.INTERNAL && /RST_STREAM|reset|closed|premature|protocol error/i.test(e.details ?? '');
}

/** Drops events already yielded before a reconnect: the master replays the job's history on each watch. */
class SeenEvents {
  private lastTime = -Infinity;
  private atLast = new Set<string>();

  /** Whether the event is new; records it. */
  fresh(e: JobEvent__Output): boolean {
    const key = `${e.type}\0${e.message}`;
    if (e.time < this.lastTime) return false;
    if (e.time === this.lastTime) {
      if (this.atLast.has(key)) return false;
      this.atLast.add(key);
      return true;
    }
    this.lastTime = e.time;
    this.atLast = new Set([key]);
    return true;
  }
}

/**
 * A job's events, as {@link WatchTarget.open} gives them, but across losses of the master:
 * when the stream breaks (the master unreachable, the connection reset, the stream ended
 * before the job did), it reconnects with capped exponential backoff (100 ms doubling to
 * 2 s, with jitter) and carries on with the same job, skipping the events it already
 * yielded. Bounded: after `reconnectTimeoutMs` of failed tries it fails with a one-line
 * {@link UserError} naming the master; a master back without the job (restarted without
 * its state) fails it at once. A master that stops answering without closing the
 * connection (frozen, link cut) is noticed by the channel's keepalive, within 15 s.
 */
export async function* reconnectingWatch(
  target: WatchTarget,
  jobId: string,
  options: WatchOptions = {},
): AsyncGenerator<JobEvent__Output> {
  const timeoutMs = options.reconnectTimeoutMs ?? DEFAULT_RECONNECT_TIMEOUT_MS;
  const seen = new SeenEvents();
  let lostAt: number | undefined;
  let tries = 0;
  for (;;) {
    let ended = false;
    let why: string;
    try {
      if (lostAt !== undefined) await probe(target, jobId, lostAt + timeoutMs);
      const call = target.open(jobId);
      try {
        for await (const event of call as AsyncIterable<JobEvent__Output>) {
          lostAt = undefined;
          tries = 0;
          if (event.status && event.status.state !== 'running') ended = true;
          if (seen.fresh(event)) yield event;
        }
      } finally {
        call.cancel();
      }
      if (ended) return;
      why = 'the stream ended before the job did';
    } catch (err) {
      if (err instanceof UserError) throw err;
      if (!isTransient(err) || timeoutMs === 0) throw fromServiceError(err, target.master);
      why = (err as grpc.ServiceError).details || (err as Error).message;
    }
    const now = Date.now();
    if (lostAt === undefined) {
      lostAt = now;
      options.onReconnecting?.(target.master, why);
    }
    const giveUpAt = lostAt + timeoutMs;
    if (now >= giveUpAt) throw gaveUp(target.master, jobId, timeoutMs, why);
    const delay = backoffDelay(tries++, { initialMs: RECONNECT_FIRST_DELAY_MS, maxMs: RECONNECT_MAX_DELAY_MS });
    await new Promise((r) => setTimeout(r, Math.min(delay, giveUpAt - now)));
    target.renew();
  }
}

/** Checks that a master found again still knows the job; a master that does not fails the watch in one line. */
async function probe(target: WatchTarget, jobId: string, deadline: number): Promise<void> {
  try {
    await target.probe(jobId, Math.max(1, Math.min(PROBE_TIMEOUT_MS, deadline - Date.now())));
  } catch (err) {
    if (err instanceof NotFoundError)
      throw new UserError(
        `the master at ${target.master} came back without job ${jobId}: it was restarted without its state, so the job is lost; submit it again`,
        { cause: err },
      );
    // The probe's errors are already Groove errors: hand the transient ones back as what they were.
    const cause = (err as { cause?: unknown }).cause;
    if (isTransient(cause)) throw cause;
    throw err;
  }
}

function gaveUp(master: string, jobId: string, timeoutMs: number, why: string): UserError {
  return new UserError(
    `lost the master at ${master} while waiting for job ${jobId}: still unreachable after ${durationText(timeoutMs)} (${why}); the job may still run: mr wait ${jobId}`,
  );
}
