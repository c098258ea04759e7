import type { Key } from './key.js';

export type { Key };

/** Passes one output record on: to the partitioner after map, to the part file after reduce. */
export type Emit<K extends Key, V> = (key: K, value: V) => void;

/** User-defined counters, summed over all tasks of a job and shown by `mr status`. */
export interface Counters {
  /** Adds `by` (default 1) to the counter `name`. */
  increment(name: string, by?: number): void;
}

/** A log sink for job code; lines go to the worker's log tagged with job and task. */
export interface JobLog {
  info(message: string): void;
  warn(message: string): void;
}

/** The iterable form of a combiner: some of one key's values in, records with that key out. */
export type CombineValues<K extends Key, V> = (key: K, values: Iterable<V>, emit: Emit<K, V>, ctx: JobContext) => void;

/** The binary form of a combiner: two values of one key folded into one (associative, commutative). */
export type FoldValues<V> = (a: V, b: V) => V;

/**
 * Whether a combiner is a binary fold. Told apart by arity: a combiner of the iterable form
 * needs its third parameter (emit) to output anything, so one declaring two is a fold.
 */
export function isFold<K extends Key, V>(combine: CombineValues<K, V> | FoldValues<V>): combine is FoldValues<V> {
  return combine.length === 2;
}

/** What every user function receives besides its data. */
export interface JobContext {
  /** `--param KEY=VALUE` pairs given at submit time. */
  readonly params: Readonly<Record<string, string>>;
  /** The name of the input the current record came from (a path or URL); empty in reduce. */
  readonly input: string;
  /** The id of the running task, e.g. `map-00007` or `reduce-00002`. */
  readonly taskId: string;
  /** Which attempt of the task this is, from 0. A failed or lost attempt is retried with the next number. */
  readonly attempt: number;
  readonly counters: Counters;
  readonly log: JobLog;
}

/**
 * A record of an earlier job's results, as a chained job's map receives it (inputs
 * `mr://JOB` or `mr://JOB/PARTITION`): the key and value that job's reduce emitted, with
 * their types (numbers, arrays, nested objects) as they were.
 */
export type ResultRecord<K extends Key = Key, V = unknown> = [key: K, value: V];

/**
 * A MapReduce job. Type parameters: MK/MV the map output key and value, RK/RV the
 * reduce output key and value (default: the same as the map's), IN what map receives:
 * a line of text (default), or a {@link ResultRecord} for a job over `mr://` inputs.
 */
export interface JobDefinition<MK extends Key = Key, MV = unknown, RK extends Key = MK, RV = MV, IN = string> {
  /** Shown in `mr jobs`, and the prefix of the job id. Default: the job file's name. */
  readonly name?: string;
  /**
   * Called once per input record: a line of text, without its line end; for an input
   * `mr://JOB`, one `[key, value]` record of that job's results ({@link ResultRecord}).
   */
  map(record: IN, emit: Emit<MK, MV>, ctx: JobContext): void;
  /**
   * Optional map-side pre-reduction of one key's values, in one of two forms:
   * - `combine(key, values, emit, ctx)`: gets some of a key's values and must emit records
   *   with the same key it was given (like Hadoop's combiner);
   * - a binary fold `(a, b) => a + b` (a function of exactly two parameters; annotate them
   *   in TypeScript: `combine: (a: number, b: number) => a + b`): two values of a key into
   *   one. It must be associative and commutative. Groove then keeps one running value per
   *   key while mapping, the fastest path for counts, sums, minima and maxima.
   * Either form may run zero, one or several times on any subset of a key's values.
   */
  readonly combine?: CombineValues<MK, MV> | FoldValues<MV>;
  /**
   * Called once per distinct key, in key order, with the key's values streamed from the
   * merge: iterate them once. Default: emit every value unchanged (identity reduce).
   */
  reduce?(key: MK, values: Iterable<MV>, emit: Emit<RK, RV>, ctx: JobContext): void;
  /** Number of reduce partitions (R); `--partitions` overrides it. Default 4. */
  readonly partitions?: number;
  /**
   * Which partition gets a key, an integer in [0, partitions); default: a hash of the
   * key's encoding. `ctx` is the map task's context (e.g. `ctx.params` for split points).
   */
  partition?(key: MK, partitions: number, ctx: JobContext): number;
  /** Map-side sort buffer per task in MiB; spills to disk beyond it. Default 100. */
  readonly sortBufferMB?: number;
  /**
   * Read inputs as text even when they do not look like text. By default (false) an input
   * that starts with a gzip, zstd, bzip2, xz or zip magic number, or has a NUL byte in its
   * first 64 KiB, fails the job with an error naming it, rather than being mapped as
   * garbage lines. Invalid UTF-8 is read as U+FFFD either way.
   */
  readonly binaryText?: boolean;
}

/**
 * Declares a job. It only checks the shape and returns the definition: the job file is
 * bundled and its default export run by Groove's pool processes.
 */
export function defineJob<MK extends Key = Key, MV = unknown, RK extends Key = MK, RV = MV, IN = string>(
  definition: JobDefinition<MK, MV, RK, RV, IN>,
): JobDefinition<MK, MV, RK, RV, IN> {
  if (definition === null || typeof definition !== 'object') {
    throw new TypeError('defineJob expects an object with at least a map function');
  }
  if (typeof definition.map !== 'function') throw new TypeError('the job has no map function');
  for (const name of ['combine', 'reduce', 'partition'] as const) {
    const fn = definition[name];
    if (fn !== undefined && typeof fn !== 'function') throw new TypeError(`the job's ${name} must be a function`);
  }
  if (definition.binaryText !== undefined && typeof definition.binaryText !== 'boolean') {
    throw new TypeError(`the job's binaryText must be true or false, got ${String(definition.binaryText)}`);
  }
  if (definition.partitions !== undefined && !(Number.isInteger(definition.partitions) && definition.partitions >= 1)) {
    throw new RangeError(`the job's partitions must be a positive integer, got ${String(definition.partitions)}`);
  }
  return definition;
}
