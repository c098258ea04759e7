import type { JobReader } from '../common/index.js';
import type { OutputTarget } from './output-target.js';
import type { Submitter } from './submitter.js';

/** What a submission asks for, after the RPC layer checked it. */
export interface Submission {
  readonly name: string;
  readonly packHash: string;
  readonly inputs: readonly string[];
  /** 0 for a map-only job. */
  readonly partitions: number;
  /** A map-only job (docs/map-only.md): no reduces; each map task writes a part file of the results. */
  readonly mapOnly?: boolean;
  readonly params: Readonly<Record<string, string>>;
  readonly chunkSize: number;
  /** The user gave no chunk size: `chunkSize` is the default, lowered to give every slot a split (see chunkSizeFor). */
  readonly chunkSizeIsDefault?: boolean;
  /** Pack small files whole into splits of up to the chunk size. Default true. */
  readonly packInputs?: boolean;
  readonly sortBufferBytes: number;
  /** 0: the master's default. */
  readonly maxAttempts: number;
  readonly speculation: boolean;
  /** The store the results are committed to; none: they stay on the workers only. */
  readonly output?: OutputTarget;
  /** Accept inputs that hold no file (see resolveInputs). */
  readonly allowEmpty?: boolean;
  /** The job's reader, when it names one: CSV files are not cut (see asReadBy). */
  readonly reader?: JobReader;
  /** Who submitted it, when known (shown with the job). */
  readonly submittedBy?: Submitter;
  /** A staged job's stages (docs/stages.md): each one's partitions, first first; none for one stage. */
  readonly stagePartitions?: readonly number[];
}
