import type * as PromClient from 'prom-client';
import { AttemptMetrics, promClient, toAttemptFailureReason } from '../common/index.js';
import type { MetricsSource } from '../common/index.js';
import type { TaskUpdate__Output } from '../proto/wire/generated/groove/TaskUpdate';
import type { Job } from './job.js';
import type { SchedulerMetrics } from './scheduler-metrics.js';
import type { WorkerEntry } from './worker-registry.js';

/** A scheduling pass, seconds: a few µs with nothing to place to a second with a million tasks. */
const SCHEDULER_SECONDS_BUCKETS = [0.00005, 0.0001, 0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
/** A journal write or sync, seconds: from the page cache to a slow disk. */
const JOURNAL_SECONDS_BUCKETS = [0.00001, 0.0001, 0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];

const TASK_STATES = ['pending', 'running', 'succeeded', 'failed'] as const;
const ZERO_STATES: Readonly<Record<(typeof TASK_STATES)[number], number>> = {
  pending: 0,
  running: 0,
  succeeded: 0,
  failed: 0,
};

/** What the master's metrics read at each scrape. */
export interface MasterMetricsSource {
  /** The jobs held (running and finished, until purged). */
  readonly jobs: () => Iterable<Job>;
  /** Every worker known, lost ones included. */
  readonly workers: () => Iterable<WorkerEntry>;
}

/** Options of {@link MasterMetrics}. */
export interface MasterMetricsOptions {
  /** Add prom-client's process metrics (CPU, memory, event loop lag, GC). Default false. */
  readonly processMetrics?: boolean;
}

/** `map` or `reduce`, from a task id (`map-00003`, `reduce-00001`); undefined for anything else. */
function kindOf(taskId: string): 'map' | 'reduce' | undefined {
  if (taskId.startsWith('map-')) return 'map';
  return taskId.startsWith('reduce-') ? 'reduce' : undefined;
}

/**
 * The master's Prometheus metrics, in a registry of its own (never prom-client's global
 * one, so masters in one process keep theirs apart). Jobs, tasks, workers and slots are
 * counted when scraped; attempts, bytes and durations are counted as workers report them
 * (once per attempt); scheduler passes, journal writes and refused RPCs as they happen.
 * See docs/metrics.md for every metric.
 */
export class MasterMetrics implements MetricsSource, SchedulerMetrics {
  readonly registry: PromClient.Registry;
  private readonly attempts: AttemptMetrics;
  private readonly schedulerSeconds: PromClient.Histogram;
  private readonly placements: PromClient.Counter;
  private readonly journalSeconds: PromClient.Histogram<'operation'>;
  private readonly rpcErrors: PromClient.Counter<'method' | 'code'>;

  constructor(source: MasterMetricsSource, options: MasterMetricsOptions = {}) {
    const prom = promClient();
    this.registry = new prom.Registry();
    const registers = [this.registry];
    if (options.processMetrics) prom.collectDefaultMetrics({ register: this.registry });
    this.attempts = new AttemptMetrics(this.registry, 'groove_', 'the workers reported');
    this.schedulerSeconds = new prom.Histogram({
      name: 'groove_scheduler_pass_seconds',
      help: 'Time of a scheduling pass (one per turn of the event loop with free slots and running jobs).',
      buckets: SCHEDULER_SECONDS_BUCKETS,
      registers,
    });
    this.placements = new prom.Counter({
      name: 'groove_scheduler_placements_total',
      help: 'Task attempts the scheduler started, backups for stragglers included.',
      registers,
    });
    this.journalSeconds = new prom.Histogram({
      name: 'groove_journal_seconds',
      help: "Time of the master journal's operations (write, sync, compact), by operation.",
      labelNames: ['operation'],
      buckets: JOURNAL_SECONDS_BUCKETS,
      registers,
    });
    this.rpcErrors = new prom.Counter({
      name: 'groove_rpc_errors_total',
      help: 'Calls to the master that ended with an error status, by method and status code (UNAUTHENTICATED...).',
      labelNames: ['method', 'code'],
      registers,
    });
    registerStateGauges(prom, this.registry, source);
  }

  /** The Prometheus text of every metric. */
  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  /** The content type of {@link MasterMetrics.metrics}. */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** A worker reported the end of an attempt (whether or not the master still counted on it). */
  taskReport(update: TaskUpdate__Output): void {
    const kind = kindOf(update.taskId);
    if (!kind) return;
    const succeeded = update.outcome === 'TASK_SUCCEEDED';
    // A worker from before failure_reason: what it said about the failure still tells most of it.
    const reason = update.failureReason
      ? toAttemptFailureReason(update.failureReason)
      : update.userError
        ? 'user_error'
        : update.lostMapTasks.length
          ? 'fetch_failure'
          : 'internal';
    this.attempts.ended({ kind, succeeded, reason, stats: update.stats, counters: update.counters });
  }

  /** A worker was lost: its running attempts (keys `job/task/attempt`) failed without a report. */
  attemptsLost(worker: WorkerEntry): void {
    for (const key of worker.running) {
      const kind = kindOf(key.split('/')[1] ?? '');
      if (kind) this.attempts.failedUnreported(kind, 'lost_worker');
    }
  }

  /** One scheduling pass took `seconds` and started `placed` attempts. */
  schedulerPass(seconds: number, placed: number): void {
    this.schedulerSeconds.observe(seconds);
    this.placements.inc(placed);
  }

  /**
   * The journal's timing hook: one of its operations (`write`, `sync`, `compact`...) took
   * `seconds`. Operation names are the journal's own, a small fixed set.
   */
  observeJournal(operation: string, seconds: number): void {
    this.journalSeconds.observe({ operation }, seconds);
  }

  /** A call ended with an error status (the server's RPC error interceptor calls it). */
  readonly rpcError = (method: string, code: string): void => {
    this.rpcErrors.inc({ method, code });
  };
}

/** The gauges read from the job and worker tables at each scrape. */
function registerStateGauges(
  prom: typeof PromClient,
  registry: PromClient.Registry,
  source: MasterMetricsSource,
): void {
  const registers = [registry];
  new prom.Gauge({
    name: 'groove_jobs',
    help: 'Jobs the master holds (until purged), by state (running, succeeded, failed, killed).',
    labelNames: ['state'],
    registers,
    collect() {
      this.reset();
      for (const state of ['running', 'succeeded', 'failed', 'killed']) this.set({ state }, 0);
      for (const job of source.jobs()) this.inc({ state: job.state });
    },
  });
  new prom.Gauge({
    name: 'groove_tasks',
    help: 'Tasks of the jobs held, by kind (map, reduce) and state (pending, running, succeeded, failed).',
    labelNames: ['kind', 'state'],
    registers,
    collect() {
      this.reset();
      const totals = { map: { ...ZERO_STATES }, reduce: { ...ZERO_STATES } };
      for (const job of source.jobs()) {
        for (const table of [job.maps, job.reduces]) {
          const counts = table.stateCounts();
          const into = totals[table.kind];
          for (const state of TASK_STATES) into[state] += counts[state];
        }
      }
      for (const kind of ['map', 'reduce'] as const)
        for (const state of TASK_STATES) this.set({ kind, state }, totals[kind][state]);
    },
  });
  new prom.Gauge({
    name: 'groove_workers',
    help: 'Workers known to the master, by state (alive, draining, lost).',
    labelNames: ['state'],
    registers,
    collect() {
      this.reset();
      for (const state of ['alive', 'draining', 'lost']) this.set({ state }, 0);
      for (const w of source.workers()) this.inc({ state: w.state });
    },
  });
  new prom.Gauge({
    name: 'groove_slots',
    help: 'Task slots of the alive workers (draining workers get no new tasks).',
    registers,
    collect() {
      let n = 0;
      for (const w of source.workers()) if (w.state === 'alive') n += w.slots;
      this.set(n);
    },
  });
  new prom.Gauge({
    name: 'groove_slots_busy',
    help: "Slots of the alive workers running an attempt (a worker's queued attempts beyond its slots not counted).",
    registers,
    collect() {
      let n = 0;
      for (const w of source.workers()) if (w.state === 'alive') n += Math.min(w.slots, w.running.size);
      this.set(n);
    },
  });
}
