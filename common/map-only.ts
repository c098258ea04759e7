/** The options of a job that {@link isMapOnly} and {@link checkMapOnly} read. */
interface MapOnlyOptions {
  readonly map?: unknown;
  readonly stages?: unknown;
  readonly reduce?: unknown;
  readonly partitions?: number;
  readonly combine?: unknown;
  readonly partition?: unknown;
  readonly reduceSetup?: unknown;
  readonly reduceCleanup?: unknown;
}

/**
 * Whether a job is map-only (docs/map-only.md): it says `reduce: false` or `partitions: 0`.
 * Its map tasks write the results, one part file each, in input order; it has no reduces.
 */
export function isMapOnly(job: MapOnlyOptions): boolean {
  // A staged job is never map-only as a whole (its stages are refused as map-only).
  return job.stages === undefined && (job.reduce === false || job.partitions === 0);
}

/**
 * Refuses the options a map-only job cannot use: with no shuffle there is nothing for a
 * combiner to pre-reduce, no partition to choose and no reduce to set up, and an option
 * that silently does nothing is a mistake found late.
 * @throws TypeError naming the option.
 */
export function checkMapOnly(job: MapOnlyOptions): void {
  if (!isMapOnly(job)) return;
  const why = job.reduce === false ? 'reduce: false' : 'partitions: 0';
  if (job.reduce === false && job.partitions !== undefined && job.partitions !== 0)
    throw new TypeError(
      `the job's partitions cannot be used in a map-only job (reduce: false): it has no reduce phase`,
    );
  if (typeof job.reduce === 'function')
    throw new TypeError(`the job has a reduce function and partitions: 0; say reduce: false for a map-only job`);
  for (const name of ['combine', 'partition', 'reduceSetup', 'reduceCleanup'] as const) {
    if (job[name] !== undefined)
      throw new TypeError(`the job's ${name} cannot be used in a map-only job (${why}): it has no reduce phase`);
  }
}
