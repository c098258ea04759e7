import { checkOption, JOB_READERS, MAX_STAGES, UserError } from '../common/index.js';
import type { JobReader, OptionTable } from '../common/index.js';
import { isResultFormat } from '../proto/formats/index.js';
import type { SubmitJobRequest__Output } from '../proto/wire/generated/groove/SubmitJobRequest';
import type { Submission } from './submission.js';
import { MASTER_OPTION_TABLE } from './master-options.js';
import { normalizeOutputUrl } from './output-target.js';

/** Default split size: 64 MiB, as in Hadoop and Disco. */
export const DEFAULT_CHUNK_SIZE = 64 * 1024 * 1024;
/**
 * Default map-side sort buffer: 100 MiB per task, Hadoop's `io.sort.mb`. With the 64 MiB
 * default split it holds a split's map output of typical records (about 135 bytes of
 * buffer per 100-byte record), so a map sorts in memory and writes its output once; at
 * 64 MiB such a map spilled, then read back and rewrote everything in a final merge
 * (about 12% more CPU for a 500 MB sort).
 */
export const DEFAULT_SORT_BUFFER_BYTES = 100 * 1024 * 1024;
/** Bounds the master enforces on every submission. */
export const LIMITS = {
  maxInputs: 100_000,
  maxPathLength: 4096,
  maxPartitions: 10_000,
  maxParams: 1_000,
  maxParamBytes: 64 * 1024,
  minSortBufferBytes: 64 * 1024,
  maxSortBufferBytes: 4 * 1024 * 1024 * 1024,
  /**
   * The smallest split: 4 KiB, a page. Each split is a map task the master keeps and
   * schedules, so a split of a few bytes turns a small input into millions of tasks (a
   * 20 MB input at 1 byte was 20,971,520 of them); the task limits of task-limits.ts
   * bound the total, this bounds the waste per byte. The tests' small corpora use 8 KiB.
   */
  minChunkSize: 4 * 1024,
  maxChunkSize: 2 ** 40,
} as const;

/**
 * The numeric options of a submission: defaults, bounds, units and the flags of `mr run`
 * and `mr submit`, written once. The master checks every submission against it (errors
 * name the SubmitOptions field), the CLI builds the flags and their help from it and checks
 * them before anything starts (errors name the flag).
 */
export const SUBMIT_OPTION_TABLE = {
  partitions: {
    flag: 'partitions',
    unit: 'count',
    default: 4,
    defaultText: "the job's, else {}",
    min: 1,
    max: LIMITS.maxPartitions,
    describe: 'reduce partitions',
  },
  chunkSize: {
    flag: 'chunk-size',
    unit: 'bytes',
    flagUnit: 'size',
    default: DEFAULT_CHUNK_SIZE,
    min: LIMITS.minChunkSize,
    max: LIMITS.maxChunkSize,
    describe: 'split size, e.g. 64MiB; small files are packed up to it; unset, a small input is cut for every slot',
  },
  sortBufferBytes: {
    flag: 'sort-buffer-mb',
    unit: 'bytes',
    flagUnit: 'MiB',
    default: DEFAULT_SORT_BUFFER_BYTES,
    defaultText: "the job's sortBufferMB, else {}",
    min: LIMITS.minSortBufferBytes,
    max: LIMITS.maxSortBufferBytes,
    describe: 'map-side sort buffer per task (fractions allowed)',
  },
  // 100: past it a task that keeps failing only wastes the cluster's time.
  maxAttempts: {
    flag: 'max-attempts',
    unit: 'count',
    defaultText: `the master's (${MASTER_OPTION_TABLE.maxAttempts.default} unless set)`,
    min: 1,
    max: 100,
    describe: 'failed attempts a task may have before the job fails',
  },
} as const satisfies OptionTable<string>;

const PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,127}$/;

/** Checks a submission against the limits; every message names the field. */
export function checkSubmission(req: SubmitJobRequest__Output, packHash: string, packName: string): Submission {
  if (!req.inputs.length && !req.allowEmpty) throw new UserError('inputs: at least one input is required');
  if (req.inputs.length > LIMITS.maxInputs) throw new UserError(`inputs: at most ${LIMITS.maxInputs} inputs`);
  for (const input of req.inputs) {
    if (typeof input !== 'string' || !input || input.length > LIMITS.maxPathLength || input.includes('\0'))
      throw new UserError('inputs: each input must be a non-empty path without NUL of at most 4096 characters');
  }
  // 0 on the wire: not given, the default applies.
  const t = SUBMIT_OPTION_TABLE;
  if (req.mapOnly && req.partitions)
    throw new UserError(
      `partitions: the job is map-only (reduce: false or partitions: 0), it has no reduce partitions`,
    );
  const partitions = req.mapOnly ? 0 : checkOption('partitions', t.partitions, req.partitions || undefined);
  const chunkSize = checkOption('chunkSize', t.chunkSize, req.chunkSize || undefined);
  const sortBufferBytes = checkOption('sortBufferBytes', t.sortBufferBytes, req.sortBufferBytes || undefined);
  const entries = Object.entries(req.params);
  if (entries.length > LIMITS.maxParams) throw new UserError(`params: at most ${LIMITS.maxParams}`);
  let paramBytes = 0;
  for (const [k, v] of entries) {
    if (!PARAM_NAME.test(k)) throw new UserError(`params: bad parameter name ${JSON.stringify(k)}`);
    paramBytes += k.length + v.length;
  }
  if (paramBytes > LIMITS.maxParamBytes) throw new UserError(`params: more than ${LIMITS.maxParamBytes} bytes in all`);
  if (req.maxAttempts !== 0) checkOption('maxAttempts', t.maxAttempts, req.maxAttempts);
  const outputFormat = req.outputFormat || 'text';
  if (!isResultFormat(outputFormat))
    throw new UserError(`--format: must be text or jsonl, got ${JSON.stringify(outputFormat.slice(0, 64))}`);
  const reader = req.reader || undefined;
  if (reader !== undefined && !(JOB_READERS as readonly string[]).includes(reader))
    throw new UserError(`reader: must be one of ${JOB_READERS.join(', ')}, got ${JSON.stringify(reader.slice(0, 64))}`);
  const output = req.outputUrl
    ? { url: normalizeOutputUrl(req.outputUrl), format: outputFormat, overwrite: req.overwrite }
    : undefined;
  return {
    name: req.name || packName,
    packHash,
    inputs: req.inputs,
    partitions,
    ...(req.mapOnly ? { mapOnly: true } : {}),
    params: req.params,
    chunkSize,
    chunkSizeIsDefault: !req.chunkSize,
    packInputs: !req.noPackInputs,
    sortBufferBytes,
    maxAttempts: req.maxAttempts,
    speculation: !req.noSpeculation,
    output,
    allowEmpty: req.allowEmpty,
    ...(reader !== undefined ? { reader: reader as JobReader } : {}),
    ...(req.stagePartitions.length ? { stagePartitions: checkStages(req.stagePartitions, partitions) } : {}),
  };
}

/** A staged job's partitions per stage, 0 (the stage names none) replaced by the job's. */
function checkStages(stagePartitions: readonly number[], partitions: number): number[] {
  if (stagePartitions.length > MAX_STAGES) throw new UserError(`stages: at most ${MAX_STAGES}`);
  return stagePartitions.map((p, i) =>
    checkOption(`stage ${i + 1}'s partitions`, SUBMIT_OPTION_TABLE.partitions, p || partitions),
  );
}
