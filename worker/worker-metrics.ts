import type * as PromClient from 'prom-client';
import { AttemptMetrics, promClient } from '../common/index.js';
import type { AttemptReport, MetricsSource } from '../common/index.js';

/** What a worker's metrics read at each scrape. */
export interface WorkerMetricsSource {
  /** Pool processes (slots). */
  readonly slots: number;
  /** Attempts running on a pool process now. */
  readonly running: () => number;
  /** Attempts here not running yet (waiting for a pool process or their pack). */
  readonly queued: () => number;
  /** True once the worker drains (SIGTERM). */
  readonly draining: () => boolean;
}

/**
 * A worker's Prometheus metrics, in a registry of its own (never prom-client's global one,
 * so workers in one process keep theirs apart): its slots, its attempts as it ran them
 * (once per attempt, never per record), and the calls to its shuffle service it refused.
 * See docs/metrics.md for every metric.
 */
export class WorkerMetrics implements MetricsSource {
  readonly registry: PromClient.Registry;
  private readonly attempts: AttemptMetrics;
  private readonly rpcErrors: PromClient.Counter<'method' | 'code'>;

  constructor(source: WorkerMetricsSource, options: { readonly processMetrics?: boolean } = {}) {
    const prom = promClient();
    this.registry = new prom.Registry();
    const registers = [this.registry];
    if (options.processMetrics) prom.collectDefaultMetrics({ register: this.registry });
    this.attempts = new AttemptMetrics(this.registry, 'groove_worker_', 'this worker ran');
    this.rpcErrors = new prom.Counter({
      name: 'groove_worker_rpc_errors_total',
      help: "Calls to this worker's shuffle service that ended with an error status, by method and status code.",
      labelNames: ['method', 'code'],
      registers,
    });
    new prom.Gauge({
      name: 'groove_worker_slots',
      help: 'Pool processes of this worker (--slots): how many attempts it runs at once.',
      registers,
      collect() {
        this.set(source.slots);
      },
    });
    new prom.Gauge({
      name: 'groove_worker_slots_busy',
      help: 'Pool processes running an attempt now.',
      registers,
      collect() {
        this.set(source.running());
      },
    });
    new prom.Gauge({
      name: 'groove_worker_attempts_queued',
      help: 'Attempts assigned to this worker and not running yet (waiting for a slot or their job pack).',
      registers,
      collect() {
        this.set(source.queued());
      },
    });
    new prom.Gauge({
      name: 'groove_worker_draining',
      help: '1 while this worker drains (SIGTERM: it takes no new tasks and finishes or hands back its own), else 0.',
      registers,
      collect() {
        this.set(source.draining() ? 1 : 0);
      },
    });
  }

  /** The Prometheus text of every metric. */
  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  /** The content type of {@link WorkerMetrics.metrics}. */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** An attempt ended here. */
  attemptEnded(report: AttemptReport): void {
    this.attempts.ended(report);
  }

  /** A call ended with an error status (the server's RPC error interceptor calls it). */
  readonly rpcError = (method: string, code: string): void => {
    this.rpcErrors.inc({ method, code });
  };
}
