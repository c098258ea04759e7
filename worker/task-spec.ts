import type { AttemptFailureReason } from '../common/index.js';
import type { ResultFormat } from '../proto/formats/index.js';
import type { Security } from '../proto/wire/index.js';

/** One map output a reducer reads its partition from. */
export interface MapOutputSource {
  readonly taskId: string;
  readonly workerId: string;
  /** host:port of the worker's shuffle service holding the output. */
  readonly dataAddress: string;
  /** The output's directory, relative to that worker's data dir. */
  readonly dir: string;
  /** The byte range of this reduce's partition in the output file. */
  readonly start: number;
  readonly end: number;
}

/** One byte range of one input file: a map task's split is a list of these, read in order. */
export interface InputPiece {
  readonly path: string;
  readonly start: number;
  readonly length: number;
  /** Set when the piece is a part file of an earlier job (mr://): read whole, as records. */
  readonly result?: ResultInput;
  /** The piece's lines are `[key, value]` JSON (an earlier job's results stored as jsonl): each is parsed. */
  readonly jsonRecords?: boolean;
}

/** A part file of an earlier job that a chained job's map reads (`mr://JOB/PARTITION`). */
export interface ResultInput {
  readonly jobId: string;
  readonly partition: number;
  /** The worker holding it: when it is this one, the file is read in place. */
  readonly workerId: string;
  /** host:port of that worker's shuffle service. */
  readonly dataAddress: string;
  /** The part file, relative to that worker's data dir. */
  readonly path: string;
  /** Its size in bytes, as the master was told when it was committed. */
  readonly bytes: number;
}

/** What a pool process needs to run one task attempt; built by the daemon from an assignment. */
export interface TaskSpec {
  /** Token and TLS material for the connections the task opens (reducers fetching map outputs). */
  readonly security: Security;
  readonly jobId: string;
  readonly taskId: string;
  readonly attempt: number;
  readonly kind: 'map' | 'reduce';
  /** Absolute path of the cached job pack. */
  readonly packPath: string;
  readonly packHash: string;
  readonly params: Readonly<Record<string, string>>;
  readonly partitions: number;
  /**
   * kind = map of a map-only job (docs/map-only.md): the map's records, in emit order, go
   * to a part file of the results (and `output`), not to partitions.
   */
  readonly mapOnly?: boolean;
  readonly sortBufferBytes: number;
  /** Which stage of a staged job the task runs (docs/stages.md), from 0; 0 or none for a job of one stage. */
  readonly stage?: number;
  /** The worker's data dir (absolute); outputs are reported relative to it. */
  readonly dataDir: string;
  /** This attempt's own directory, relative to dataDir: attempts never share files. */
  readonly workDir: string;
  /** This worker's id, to read local map outputs straight from disk. */
  readonly workerId: string;
  /**
   * Extra CA certificates (PEM) trusted for https inputs, the daemon's `--ca`: passed as
   * text, so a pool process running as another user (--run-as) needs no access to the file.
   */
  readonly httpCa?: string;
  /**
   * kind = map: the split to read, piece by piece: one chunk of a file, or several small
   * files whole (packed by the master), each with its own name in `ctx.input`.
   */
  readonly input?: readonly InputPiece[];
  /** kind = reduce: the partition and every map output that holds a piece of it. */
  readonly partition?: number;
  readonly sources?: readonly MapOutputSource[];
  /**
   * kind = reduce (or a map-only job's map), for a job with an output store: also write the part's result lines, in
   * `format`, to the storage URL `url` (the attempt's temporary object, which the master
   * promotes at the commit), staged and committed whole with the part file.
   */
  readonly output?: { readonly url: string; readonly format: ResultFormat };
}

/** Counts a task reports with its result. */
export interface TaskStatsSummary {
  readonly recordsIn: number;
  readonly recordsOut: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly millis: number;
  readonly spills: number;
}

/** What a finished attempt that wrote a part file of the results reports. */
interface PartFileResult {
  readonly path: string;
  /** The output URL the attempt committed its lines to, if it had one. */
  readonly outputUrl?: string;
  readonly records: number;
  readonly bytes: number;
  readonly stats: TaskStatsSummary;
  readonly counters: Readonly<Record<string, number>>;
}

/** What a finished task attempt produced: a map output, or a part file (a reduce's, or a map-only job's map's). */
export type TaskResult =
  | {
      readonly kind: 'map';
      readonly dir: string;
      readonly offsets: readonly number[];
      readonly stats: TaskStatsSummary;
      readonly counters: Readonly<Record<string, number>>;
    }
  | ({ readonly kind: 'reduce' } & PartFileResult)
  | ({ readonly kind: 'part' } & PartFileResult);

/** Why a task attempt failed; `user` is true when the job's own code threw. */
export interface TaskFailure {
  readonly message: string;
  readonly stack?: string;
  readonly user: boolean;
  /** Another attempt would fail the same way (the input is not text): the job fails now. */
  readonly permanent?: boolean;
  /** Map tasks whose outputs a reduce could not fetch (then the failure is not the reduce's). */
  readonly lostMapTasks?: readonly string[];
  /** Why, when the pool knows better than the fields above (a timeout, a crash, a cancel); see failureReasonOf. */
  readonly reason?: AttemptFailureReason;
}
