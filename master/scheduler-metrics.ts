/** What the job manager tells the metrics about its scheduling (master-metrics.ts keeps them). */
export interface SchedulerMetrics {
  /** One scheduling pass took `seconds` and started `placed` attempts. */
  schedulerPass(seconds: number, placed: number): void;
}
