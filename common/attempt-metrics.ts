import type * as PromClient from 'prom-client';
import { ATTEMPT_FAILURE_REASONS } from './attempt-failure-reason.js';
import type { AttemptFailureReason } from './attempt-failure-reason.js';
import { promClient } from './metrics-lib.js';

/**
 * Names of the built-in counters a reduce attempt reports about its fetches (written by
 * worker/task-runtime/reduce-task.ts; the metrics test reads the fetch histogram they fill).
 */
const FETCH_MILLIS_COUNTER = 'groove.reduce.fetch.millis';
const FETCH_BYTES_COUNTER = 'groove.reduce.fetch.bytes';

/** Task durations, seconds: from a tiny task on a warm pool to a half-hour one. */
const TASK_SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800];
/** A reduce's fetch time, seconds: a few ms on loopback to minutes over a slow link. */
const FETCH_SECONDS_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

/**
 * A reported number as a metric takes it: a worker's report is not trusted to be sane, and
 * prom-client throws on a negative or non-finite increment (which would break the worker's
 * session, where reports are counted), so anything else counts as 0.
 */
function amount(x: number | undefined): number {
  return x !== undefined && Number.isFinite(x) && x > 0 ? x : 0;
}

/** One attempt that ended, as its worker reported it. */
export interface AttemptReport {
  readonly kind: 'map' | 'reduce';
  readonly succeeded: boolean;
  /** Why it failed (ignored when it succeeded); `cancelled` counts as its own outcome, not as a failure. */
  readonly reason?: AttemptFailureReason;
  /** What a successful attempt did. */
  readonly stats?: { readonly bytesIn: number; readonly bytesOut: number; readonly millis: number } | null;
  /** Its counters (the built-in fetch counters of a reduce are read). */
  readonly counters?: Readonly<Record<string, number>>;
}

/** The labelled series of one kind of task, looked up once: prom-client hashes a label set on every call otherwise. */
interface KindSeries {
  readonly outcome: Readonly<Record<'succeeded' | 'failed' | 'cancelled', PromClient.Counter.Internal>>;
  readonly failures: Readonly<Record<AttemptFailureReason, PromClient.Counter.Internal>>;
  readonly written: PromClient.Counter.Internal;
  readonly seconds: PromClient.Histogram.Internal<'kind'>;
}

/**
 * The metrics of ended task attempts, kept alike by the master (every worker's reports)
 * and by each worker (its own), under a name prefix each: attempts by outcome, failures by
 * reason, bytes, and task and fetch durations. One call per attempt, never per record.
 */
export class AttemptMetrics {
  private readonly attempts: PromClient.Counter<'kind' | 'outcome'>;
  private readonly failures: PromClient.Counter<'kind' | 'reason'>;
  private readonly bytesRead: PromClient.Counter;
  private readonly bytesShuffled: PromClient.Counter;
  private readonly bytesFetched: PromClient.Counter;
  private readonly bytesWritten: PromClient.Counter<'kind'>;
  private readonly taskSeconds: PromClient.Histogram<'kind'>;
  private readonly fetchSeconds: PromClient.Histogram;
  private readonly series: Readonly<Record<'map' | 'reduce', KindSeries>>;

  /** Registers the metrics in `registry`, each named `${prefix}...`; `whose` says whose attempts in their help. */
  constructor(registry: PromClient.Registry, prefix: string, whose: string) {
    const prom = promClient();
    const registers = [registry];
    this.attempts = new prom.Counter({
      name: `${prefix}attempts_total`,
      help: `Task attempts ${whose} that ended, by kind (map, reduce) and outcome (succeeded, failed, cancelled).`,
      labelNames: ['kind', 'outcome'],
      registers,
    });
    this.failures = new prom.Counter({
      name: `${prefix}attempts_failed_total`,
      help: `Failed task attempts ${whose}, by kind and reason (${ATTEMPT_FAILURE_REASONS.join(', ')}).`,
      labelNames: ['kind', 'reason'],
      registers,
    });
    this.bytesRead = new prom.Counter({
      name: `${prefix}bytes_read_total`,
      help: `Input bytes read by the map attempts ${whose} that succeeded.`,
      registers,
    });
    this.bytesShuffled = new prom.Counter({
      name: `${prefix}bytes_shuffled_total`,
      help: `Map output bytes read by the reduce attempts ${whose} that succeeded, local and fetched.`,
      registers,
    });
    this.bytesFetched = new prom.Counter({
      name: `${prefix}bytes_fetched_total`,
      help: `Map output bytes the reduce attempts ${whose} that succeeded fetched from other workers.`,
      registers,
    });
    this.bytesWritten = new prom.Counter({
      name: `${prefix}bytes_written_total`,
      help: `Bytes written by the attempts ${whose} that succeeded: map outputs (kind=map), part files (kind=reduce).`,
      labelNames: ['kind'],
      registers,
    });
    this.taskSeconds = new prom.Histogram({
      name: `${prefix}task_duration_seconds`,
      help: `Run time of the task attempts ${whose} that succeeded, by kind.`,
      labelNames: ['kind'],
      buckets: TASK_SECONDS_BUCKETS,
      registers,
    });
    this.fetchSeconds = new prom.Histogram({
      name: `${prefix}fetch_duration_seconds`,
      help: `Time the reduce attempts ${whose} that succeeded spent fetching map outputs from other workers.`,
      buckets: FETCH_SECONDS_BUCKETS,
      registers,
    });
    // Every series from the start, at 0: a rate over a series that appears only on its first
    // failure misses that failure. (A cancel is no failure: it has no failure series.)
    const reasons = ATTEMPT_FAILURE_REASONS.filter((r) => r !== 'cancelled');
    const seriesOf = (kind: 'map' | 'reduce'): KindSeries => ({
      outcome: {
        succeeded: this.attempts.labels({ kind, outcome: 'succeeded' }),
        failed: this.attempts.labels({ kind, outcome: 'failed' }),
        cancelled: this.attempts.labels({ kind, outcome: 'cancelled' }),
      },
      failures: Object.fromEntries(
        reasons.map((reason) => [reason, this.failures.labels({ kind, reason })]),
      ) as KindSeries['failures'],
      written: this.bytesWritten.labels({ kind }),
      seconds: this.taskSeconds.labels({ kind }),
    });
    this.series = { map: seriesOf('map'), reduce: seriesOf('reduce') };
    for (const k of Object.values(this.series)) {
      for (const c of [...Object.values(k.outcome), ...Object.values(k.failures), k.written]) c.inc(0);
    }
  }

  /** Counts one ended attempt. */
  ended(report: AttemptReport): void {
    const { kind } = report;
    const series = this.series[kind];
    if (!report.succeeded) {
      const reason = report.reason ?? 'internal';
      if (reason === 'cancelled') {
        series.outcome.cancelled.inc();
      } else {
        series.outcome.failed.inc();
        series.failures[reason].inc();
      }
      return;
    }
    series.outcome.succeeded.inc();
    const stats = report.stats;
    if (!stats) return;
    if (kind === 'map') this.bytesRead.inc(amount(stats.bytesIn));
    else this.bytesShuffled.inc(amount(stats.bytesIn));
    series.written.inc(amount(stats.bytesOut));
    series.seconds.observe(amount(stats.millis) / 1000);
    const fetchedBytes = amount(report.counters?.[FETCH_BYTES_COUNTER]);
    if (kind === 'reduce' && fetchedBytes > 0) {
      this.bytesFetched.inc(fetchedBytes);
      this.fetchSeconds.observe(amount(report.counters?.[FETCH_MILLIS_COUNTER]) / 1000);
    }
  }

  /** Counts attempts that failed without a report (the master's `lost_worker`). */
  failedUnreported(kind: 'map' | 'reduce', reason: Exclude<AttemptFailureReason, 'cancelled'>, n = 1): void {
    this.series[kind].outcome.failed.inc(n);
    this.series[kind].failures[reason].inc(n);
  }
}
