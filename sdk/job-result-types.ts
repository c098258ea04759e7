import type { JobDefinition, Key } from '../common/index.js';

/**
 * A job's type as the SDK takes it: a job definition (`typeof job`, after
 * `import type job from './job.js'`) or its module (after `import type * as job`).
 */
export type JobType = object;

/** The job definition of a {@link JobType}: a module's default export, or the definition itself. */
export type JobOf<J extends JobType> = J extends { readonly default: infer D } ? D : J;

/**
 * The records a job's results hold, `[key, value]` with the types its reduce emits (RK, RV
 * of {@link JobDefinition}; a job without a reduce: its map's), or `[Key, unknown]` for a
 * type that is not a job.
 */
export type ResultOf<J extends JobType> =
  JobOf<J> extends JobDefinition<infer _MK, infer _MV, infer RK, infer RV, infer _IN>
    ? [key: RK, value: RV]
    : [key: Key, value: unknown];

declare const jobType: unique symbol;

/**
 * A job id that carries its job's type, as `client.submit<typeof job>(...)` returns it: a
 * plain string at run time (print it, pass it to `mr://`), and to the compiler the type of
 * the records `client.results(id)` yields. The phantom property never exists.
 */
export type JobId<J extends JobType = JobType> = string & { readonly [jobType]?: J };
