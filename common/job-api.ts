import { closestName } from './closest-name.js';
import type { Key } from './key.js';
import { checkMapOnly } from './map-only.js';

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
  /**
   * In reduce, the full key of the value last taken from `values`: with
   * {@link JobDefinition.groupPrefix} the reduce's key is only the group's prefix, and this
   * says which key each value came with (values arrive in full-key order). Without
   * groupPrefix it is the reduce's key. Undefined in map and combine.
   */
  readonly valueKey?: Key;
}

/**
 * A record of an earlier job's results, as a chained job's map receives it (inputs
 * `mr://JOB` or `mr://JOB/PARTITION`): the key and value that job's reduce emitted, with
 * their types (numbers, arrays, nested objects) as they were.
 */
export type ResultRecord<K extends Key = Key, V = unknown> = [key: K, value: V];

/**
 * How a job's map reads its inputs (docs/readers.md); `.gz` and `.zst` inputs are
 * decompressed first, whatever the reader:
 * - `lines` (default): each line of text, without its line end;
 * - `jsonl`: each line parsed as JSON (blank lines skipped);
 * - `csv`: each row of a CSV file (RFC 4180) as an object keyed by the file's header row;
 * - `records`: `[key, value]` records of an earlier Groove job: its part files (`mr://`
 *   inputs, which are read so whatever the reader), or files of its results as JSON lines
 *   (`mr results --format jsonl`).
 */
export type JobReader = 'lines' | 'jsonl' | 'csv' | 'records';

/** The readers, in the order the docs list them. */
export const JOB_READERS: readonly JobReader[] = ['lines', 'jsonl', 'csv', 'records'];

/**
 * What a job does with an input record its reader cannot parse (a jsonl line that is not
 * JSON, a CSV row with the wrong number of fields): `fail` (default) fails the job at once,
 * naming the input, the line and the parse error; `skip` leaves it out and counts it in
 * the counter {@link BAD_RECORDS_COUNTER}.
 */
export type BadRecordPolicy = 'fail' | 'skip';

/** The counter of input records skipped by `onBadRecord: 'skip'`, shown by `mr status`. */
export const BAD_RECORDS_COUNTER = 'groove.map.input.bad-records';

/** A CSV row as the `csv` reader gives it: the row's fields, as strings, keyed by the header's names. */
export type CsvRecord = Readonly<Record<string, string>>;

/**
 * A MapReduce job. Type parameters: MK/MV the map output key and value, RK/RV the
 * reduce output key and value (default: the same as the map's), IN what map receives,
 * which follows the job's {@link JobDefinition.reader}: a line of text (default), a parsed
 * JSON value, a {@link CsvRecord}, or a {@link ResultRecord} (also for `mr://` inputs).
 */
export interface JobDefinition<MK extends Key = Key, MV = unknown, RK extends Key = MK, RV = MV, IN = string> {
  /** Shown in `mr jobs`, and the prefix of the job id. Default: the job file's name. */
  readonly name?: string;
  /** How map reads the inputs (see {@link JobReader}). Default `lines`; `mr://` inputs always give records. */
  readonly reader?: JobReader;
  /** What to do with a record the reader cannot parse (see {@link BadRecordPolicy}). Default `fail`. */
  readonly onBadRecord?: BadRecordPolicy;
  /**
   * Called once per input record, as the reader gives it: a line of text, without its
   * line end; a parsed JSON line; a CSV row; for an input `mr://JOB`, one `[key, value]`
   * record of that job's results ({@link ResultRecord}).
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
   * `false`: a map-only job (docs/map-only.md), whose maps write the results in emit order.
   */
  readonly reduce?: ((key: MK, values: Iterable<MV>, emit: Emit<RK, RV>, ctx: JobContext) => void) | false;
  /**
   * Number of reduce partitions (R); `--partitions` overrides it. Default 4. `0`, like
   * `reduce: false`, makes a map-only job (docs/map-only.md): each map task's output, in
   * emit order, is one part file of the results; no shuffle, no sort.
   */
  readonly partitions?: number;
  /**
   * Runs once per map attempt, before its first record (awaited when it returns a
   * promise): load a lookup table, a model. What it sets up (module-level state, see
   * docs/hooks.md) is fresh for each attempt. A throw fails the attempt like a throwing map.
   */
  readonly mapSetup?: (ctx: JobContext) => void | Promise<void>;
  /**
   * Runs once per map attempt, after its last record (awaited): its emits go where map's
   * do (the combiner and partitioner, or a map-only job's part file), e.g. totals the
   * map kept in memory instead of emitting record by record.
   */
  readonly mapCleanup?: (emit: Emit<MK, MV>, ctx: JobContext) => void | Promise<void>;
  /** Runs once per reduce attempt, before its first key (awaited). */
  readonly reduceSetup?: (ctx: JobContext) => void | Promise<void>;
  /** Runs once per reduce attempt, after its last key (awaited): its emits go to the part file, after reduce's. */
  readonly reduceCleanup?: (emit: Emit<RK, RV>, ctx: JobContext) => void | Promise<void>;
  /**
   * Which partition gets a key, an integer in [0, partitions); default: a hash of the
   * key's encoding. `ctx` is the map task's context (e.g. `ctx.params` for split points).
   */
  partition?(key: MK, partitions: number, ctx: JobContext): number;
  /**
   * Secondary sort (docs/sorting.md): with `n`, keys must be tuples (arrays) of at least n
   * elements; reduce is called once per distinct first-n elements (its key is that prefix,
   * as an array), with the group's values in full-key order, and `ctx.valueKey` the full
   * key of each value. Keys are partitioned by the prefix too, unless the job has its own
   * `partition`. Type MK as the full tuple or its prefix, e.g. `[user: string, time: number] | [user: string]`.
   * Default: none, reduce groups by the whole key.
   */
  readonly groupPrefix?: number;
  /**
   * Total-order sort (docs/sorting.md): at submit, the client runs map over a bounded sample
   * of the input's records and picks R-1 split points from the keys (the group prefixes with
   * {@link groupPrefix}); partition p then gets the keys between split p-1 and split p, so
   * the part files read in partition order are globally sorted. Cannot be combined with
   * `partition`. Default false (hash partitioning).
   */
  readonly totalOrder?: boolean;
  /** Map-side sort buffer per task in MiB; spills to disk beyond it. Default 100. */
  readonly sortBufferMB?: number;
  /**
   * Read inputs as text even when they do not look like text. By default (false) an input
   * that starts with a gzip, zstd, bzip2, xz or zip magic number, or has a NUL byte in its
   * first 64 KiB, fails the job with an error naming it, rather than being mapped as
   * garbage lines. Invalid UTF-8 is read as U+FFFD either way.
   */
  readonly binaryText?: boolean;
  /** A job of one stage has none; a job of several is a {@link StagedJobDefinition}. */
  readonly stages?: undefined;
}

/** The task hooks (docs/hooks.md), each a function when given. */
export const TASK_HOOK_NAMES = ['mapSetup', 'mapCleanup', 'reduceSetup', 'reduceCleanup'] as const;

/** The name of one of a job's task hooks. */
export type TaskHookName = (typeof TASK_HOOK_NAMES)[number];

/**
 * Every option name {@link defineJob} knows; any other is refused with the closest of
 * these, so a typo (`reducer`) is an error at once, not an option silently ignored.
 */
export const JOB_OPTION_NAMES: readonly string[] = [
  'name',
  'reader',
  'onBadRecord',
  'map',
  'combine',
  'reduce',
  'partitions',
  'partition',
  'sortBufferMB',
  'binaryText',
  'mapSetup',
  'mapCleanup',
  'reduceSetup',
  'reduceCleanup',
  'groupPrefix',
  'totalOrder',
  'stages',
];

/**
 * Declares a job. It only checks the shape and returns the definition: the job file is
 * bundled and its default export run by Groove's pool processes. What `map` receives
 * follows `reader` (these overloads): `csv` gives {@link CsvRecord}s, `jsonl` parsed JSON
 * (annotate the parameter with the type the lines have), `records` {@link ResultRecord}s,
 * and `lines` or no reader a string (or, for a job over `mr://` inputs only, a
 * {@link ResultRecord}: annotate it). A job of several stages gives `stages` (built with
 * {@link stages}) instead of `map` and the rest (docs/stages.md).
 * @throws TypeError or RangeError naming the option that is wrong or unknown.
 */
export function defineJob<RK extends Key, RV>(definition: StagedJobDefinition<RK, RV>): StagedJobDefinition<RK, RV>;
export function defineJob<
  MK extends Key = Key,
  MV = unknown,
  RK extends Key = MK,
  RV = MV,
  IN extends object = CsvRecord,
>(
  definition: JobDefinition<MK, MV, RK, RV, IN> & { readonly reader: 'csv' },
): JobDefinition<MK, MV, RK, RV, IN> & { readonly reader: 'csv' };
export function defineJob<MK extends Key = Key, MV = unknown, RK extends Key = MK, RV = MV, IN = unknown>(
  definition: JobDefinition<MK, MV, RK, RV, IN> & { readonly reader: 'jsonl' },
): JobDefinition<MK, MV, RK, RV, IN> & { readonly reader: 'jsonl' };
export function defineJob<
  MK extends Key = Key,
  MV = unknown,
  RK extends Key = MK,
  RV = MV,
  IN extends ResultRecord = ResultRecord,
>(
  definition: JobDefinition<MK, MV, RK, RV, IN> & { readonly reader: 'records' },
): JobDefinition<MK, MV, RK, RV, IN> & { readonly reader: 'records' };
export function defineJob<MK extends Key = Key, MV = unknown, RK extends Key = MK, RV = MV, IN extends string = string>(
  definition: JobDefinition<MK, MV, RK, RV, IN> & { readonly reader: 'lines' },
): JobDefinition<MK, MV, RK, RV, IN> & { readonly reader: 'lines' };
export function defineJob<MK extends Key = Key, MV = unknown, RK extends Key = MK, RV = MV, IN = string>(
  definition: JobDefinition<MK, MV, RK, RV, IN> & { readonly reader?: undefined },
): JobDefinition<MK, MV, RK, RV, IN> & { readonly reader?: undefined };
export function defineJob(definition: AnyJobDefinition): unknown {
  return checkJobDefinition(definition);
}

/**
 * What {@link defineJob} checks, for a definition of any type (a loaded job pack's export).
 * @throws TypeError or RangeError naming the option that is wrong or unknown.
 */
export function checkJobDefinition<D extends AnyJobDefinition>(definition: D): D {
  if (definition === null || typeof definition !== 'object') {
    throw new TypeError('defineJob expects an object with at least a map function');
  }
  checkOptionNames(definition);
  if (definition.stages !== undefined) return checkStagedJob(definition) as D;
  if (typeof definition.map !== 'function') throw new TypeError('the job has no map function');
  for (const name of ['combine', 'partition', ...TASK_HOOK_NAMES] as const) {
    const fn = definition[name];
    if (fn !== undefined && typeof fn !== 'function') throw new TypeError(`the job's ${name} must be a function`);
  }
  const reduce: unknown = definition.reduce;
  if (reduce !== undefined && reduce !== false && typeof reduce !== 'function')
    throw new TypeError(`the job's reduce must be a function, or false for a map-only job`);
  if (definition.binaryText !== undefined && typeof definition.binaryText !== 'boolean') {
    throw new TypeError(`the job's binaryText must be true or false, got ${String(definition.binaryText)}`);
  }
  if (definition.partitions !== undefined && !(Number.isInteger(definition.partitions) && definition.partitions >= 0)) {
    throw new RangeError(
      `the job's partitions must be a positive integer (or 0 for a map-only job), got ${String(definition.partitions)}`,
    );
  }
  checkMapOnly(definition);
  checkChoice('reader', definition.reader, JOB_READERS);
  checkChoice('onBadRecord', definition.onBadRecord, ['fail', 'skip']);
  checkSortOptions(definition);
  return definition;
}

/** Checks groupPrefix and totalOrder (docs/sorting.md). */
function checkSortOptions(definition: JobDefinition<Key, unknown, Key, unknown, unknown>): void {
  const { groupPrefix, totalOrder } = definition;
  if (groupPrefix !== undefined && !(Number.isInteger(groupPrefix) && groupPrefix >= 1 && groupPrefix <= 127)) {
    throw new RangeError(`the job's groupPrefix must be an integer from 1 to 127, got ${String(groupPrefix)}`);
  }
  if (totalOrder !== undefined && typeof totalOrder !== 'boolean') {
    throw new TypeError(`the job's totalOrder must be true or false, got ${String(totalOrder)}`);
  }
  if (totalOrder === true && definition.partition !== undefined) {
    throw new TypeError("the job's totalOrder picks the partitions itself: remove its partition function");
  }
}

/** Refuses an option name defineJob does not know, with the closest one it does. */
function checkOptionNames(definition: object, known = JOB_OPTION_NAMES, where = 'defineJob'): void {
  for (const name of Object.keys(definition)) {
    if (known.includes(name)) continue;
    const near = closestName(name, known);
    const hint = near === undefined ? `known options: ${known.join(', ')}` : `did you mean ${near}?`;
    throw new TypeError(`unknown option ${JSON.stringify(name).slice(1, -1)} in ${where}: ${hint}`);
  }
}

/** Refuses a value of a string option that is none of its choices (undefined: the default). */
function checkChoice(option: string, value: unknown, choices: readonly string[]): void {
  if (value === undefined || (typeof value === 'string' && choices.includes(value))) return;
  const got = typeof value === 'string' ? JSON.stringify(value) : String(value);
  throw new TypeError(`the job's ${option} must be one of ${choices.join(', ')}, got ${got.slice(0, 80)}`);
}

// ---- Staged jobs (docs/stages.md) ----

/** The options that hold for a whole staged job, never for one stage of it. */
type JobWideOption = 'name' | 'stages' | 'sortBufferMB' | 'binaryText';

/**
 * One stage of a staged job: a map, and optionally a combine, partition, reduce and partitions,
 * as in {@link JobDefinition}. The first stage reads the job's inputs (and may name its
 * `reader` and `onBadRecord`); every later one reads the stage before's output records.
 */
export type StageDefinition<MK extends Key = Key, MV = unknown, RK extends Key = MK, RV = MV, IN = string> = Omit<
  JobDefinition<MK, MV, RK, RV, IN>,
  JobWideOption
>;

/** A stage after the first: its map gets the previous stage's output as `[key, value]` records, typed. */
export type LaterStageDefinition<MK extends Key, MV, RK extends Key, RV, IN> = Omit<
  StageDefinition<MK, MV, RK, RV, IN>,
  'reader' | 'onBadRecord'
>;

/** A stage with its types erased, as the runtime sees it. */
export type AnyStage = StageDefinition<Key, unknown, Key, unknown, unknown>;

/**
 * The stages of a job, first first, as {@link stages} builds them: an array of stages that
 * also knows the type of the last stage's output (RK, RV), so that the next stage added
 * with {@link Stages.stage} has its map's records typed.
 */
export interface Stages<RK extends Key = Key, RV = unknown> extends ReadonlyArray<AnyStage> {
  /**
   * Adds a stage that reads this one's output: its map gets each record as
   * `[key, value]` ({@link ResultRecord}) with the key and value types this stage's reduce emits.
   */
  stage<MK2 extends Key = Key, MV2 = unknown, RK2 extends Key = MK2, RV2 = MV2>(
    next: LaterStageDefinition<MK2, MV2, RK2, RV2, ResultRecord<RK, RV>>,
  ): Stages<RK2, RV2>;
}

/**
 * A job of several MapReduce stages run as one job (one id, one result: the last stage's).
 * RK/RV are the last stage's output key and value.
 */
export interface StagedJobDefinition<RK extends Key = Key, RV = unknown> {
  /** Shown in `mr jobs`, and the prefix of the job id. Default: the job file's name. */
  readonly name?: string;
  /** The stages, first first: build them with {@link stages}, so their types flow from one to the next. */
  readonly stages: Stages<RK, RV>;
  /** The partitions of every stage that names none; `--partitions` overrides it. Default 4. */
  readonly partitions?: number;
  /** Map-side sort buffer per task in MiB, in every stage. Default 100. */
  readonly sortBufferMB?: number;
  /** Read the first stage's inputs as text even when they do not look like text (see JobDefinition). */
  readonly binaryText?: boolean;
  /** A staged job has no map of its own: its stages do. */
  readonly map?: undefined;
  /** The first stage names the reader. */
  readonly reader?: undefined;
}

/** A job definition of either kind, with its types erased. */
export type AnyJobDefinition = JobDefinition<Key, unknown, Key, unknown, unknown> | StagedJobDefinition<Key, unknown>;

/** The most stages a job may have: each is at least a round of tasks and a shuffle. */
export const MAX_STAGES = 100;

/** The option names a stage may have: a job's, less those of the whole job; reader and onBadRecord in the first only. */
const STAGE_OPTION_NAMES: readonly string[] = JOB_OPTION_NAMES.filter(
  (n) => !['name', 'stages', 'sortBufferMB', 'binaryText'].includes(n),
);
const LATER_STAGE_OPTION_NAMES = STAGE_OPTION_NAMES.filter((n) => n !== 'reader' && n !== 'onBadRecord');

/**
 * Starts the stages of a staged job with its first stage, which reads the job's inputs
 * (IN follows its reader, as for {@link defineJob}); add the others with `.stage(...)`:
 *
 *     stages<string, number>({ map, combine, reduce }).stage<number, string>({ map([word, count], emit) {...} })
 */
export function stages<MK extends Key = Key, MV = unknown, RK extends Key = MK, RV = MV, IN = string>(
  first: StageDefinition<MK, MV, RK, RV, IN>,
): Stages<RK, RV> {
  return stageList([first as AnyStage]);
}

function stageList<RK extends Key, RV>(list: readonly AnyStage[]): Stages<RK, RV> {
  const array = [...list];
  // Not enumerable: the stages stay a plain array to every reader, `.stage` only adds one.
  Object.defineProperty(array, 'stage', {
    value: (next: AnyStage) => stageList([...array, next]),
    enumerable: false,
  });
  return Object.freeze(array) as unknown as Stages<RK, RV>;
}

/**
 * Each stage of a job as a job of its own: the stage's functions and options with the
 * whole job's (name, sortBufferMB, binaryText); a job of one stage is its only stage.
 */
export function jobStages(definition: AnyJobDefinition): JobDefinition<Key, unknown, Key, unknown, unknown>[] {
  if (definition.stages === undefined) return [definition];
  const { stages: list, ...jobWide } = definition;
  return list.map((stage) => ({ ...jobWide, ...stage }));
}

/** What checkJobDefinition checks of a staged job: the job-wide options, then each stage as a job. */
/**
 * Refuses in a stage what the engine does for a whole job only: a total order's split points
 * are sampled from the job's inputs at submit, not from an earlier stage's output; and a
 * stage's output is what the next reads through a shuffle, so none is map-only.
 */
function checkStageShape(stage: object, i: number): void {
  const { totalOrder, reduce, partitions } = stage as { totalOrder?: unknown; reduce?: unknown; partitions?: unknown };
  if (totalOrder !== undefined)
    throw new TypeError(`stage ${i + 1}'s totalOrder: a total order is for a job of one stage (docs/sorting.md)`);
  if (reduce === false || partitions === 0)
    throw new TypeError(
      `stage ${i + 1} cannot be map-only (reduce: false or partitions: 0): only a job of one stage can`,
    );
}

function checkStagedJob(definition: StagedJobDefinition<Key, unknown>): StagedJobDefinition<Key, unknown> {
  const list: unknown = definition.stages;
  if (!Array.isArray(list) || list.length === 0)
    throw new TypeError(
      "the job's stages must be a non-empty array of stages (build it with stages(first).stage(next))",
    );
  if (list.length > MAX_STAGES) throw new RangeError(`the job has ${list.length} stages, more than ${MAX_STAGES}`);
  if (typeof (definition as { map?: unknown }).map !== 'undefined')
    throw new TypeError('a job with stages has no map of its own: each stage has its map');
  list.forEach((stage: unknown, i) => {
    const where = `stage ${i + 1} of defineJob`;
    if (stage === null || typeof stage !== 'object')
      throw new TypeError(`${where} must be an object with a map function`);
    checkOptionNames(stage, i === 0 ? STAGE_OPTION_NAMES : LATER_STAGE_OPTION_NAMES, where);
    checkStageShape(stage, i);
    try {
      checkJobDefinition({ ...definition, stages: undefined, ...stage } as unknown as JobDefinition<Key, unknown>);
    } catch (err) {
      const message = (err as Error).message.replace(
        /^the job('s)?/,
        (_m, s: string | undefined) => `stage ${i + 1}${s ?? ''}`,
      );
      throw err instanceof RangeError ? new RangeError(message) : new TypeError(message);
    }
  });
  return definition;
}
