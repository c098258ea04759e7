import { UserError } from '../common/index.js';
import { isResultFormat } from '../proto/formats/index.js';
import type { SubmitJobRequest__Output } from '../proto/wire/generated/groove/SubmitJobRequest';
import type { Submission } from './job-manager.js';

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

const PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,127}$/;

/** Checks a submission against the limits; every message names the field. */
export function checkSubmission(req: SubmitJobRequest__Output, packHash: string, packName: string): Submission {
  if (!req.inputs.length && !req.allowEmpty) throw new UserError('inputs: at least one input is required');
  if (req.inputs.length > LIMITS.maxInputs) throw new UserError(`inputs: at most ${LIMITS.maxInputs} inputs`);
  for (const input of req.inputs) {
    if (typeof input !== 'string' || !input || input.length > LIMITS.maxPathLength || input.includes('\0')) throw new UserError('inputs: each input must be a non-empty path without NUL of at most 4096 characters');
  }
  const partitions = req.partitions || 4;
  if (!Number.isInteger(partitions) || partitions < 1 || partitions > LIMITS.maxPartitions) throw new UserError(`partitions: must be an integer from 1 to ${LIMITS.maxPartitions}`);
  const chunkSize = req.chunkSize || DEFAULT_CHUNK_SIZE;
  if (!Number.isInteger(chunkSize) || chunkSize < LIMITS.minChunkSize || chunkSize > LIMITS.maxChunkSize) {
    throw new UserError(`chunk size: must be an integer from ${LIMITS.minChunkSize} bytes (4 KiB) to 1 TiB, got ${String(chunkSize)}`);
  }
  const sortBufferBytes = req.sortBufferBytes || DEFAULT_SORT_BUFFER_BYTES;
  if (!Number.isInteger(sortBufferBytes) || sortBufferBytes < LIMITS.minSortBufferBytes || sortBufferBytes > LIMITS.maxSortBufferBytes) {
    throw new UserError(`sort buffer: must be from ${LIMITS.minSortBufferBytes} bytes to 4 GiB`);
  }
  const entries = Object.entries(req.params);
  if (entries.length > LIMITS.maxParams) throw new UserError(`params: at most ${LIMITS.maxParams}`);
  let paramBytes = 0;
  for (const [k, v] of entries) {
    if (!PARAM_NAME.test(k)) throw new UserError(`params: bad parameter name ${JSON.stringify(k)}`);
    paramBytes += k.length + v.length;
  }
  if (paramBytes > LIMITS.maxParamBytes) throw new UserError(`params: more than ${LIMITS.maxParamBytes} bytes in all`);
  if (!Number.isInteger(req.maxAttempts) || req.maxAttempts < 0 || req.maxAttempts > 100) throw new UserError('max attempts: must be an integer from 1 to 100');
  const resultFormat = req.resultFormat || undefined;
  if (resultFormat !== undefined && !isResultFormat(resultFormat)) throw new UserError(`result format: must be text or jsonl, got ${JSON.stringify(resultFormat.slice(0, 64))}`);
  if (req.resultLinesOnly && resultFormat === undefined) throw new UserError('result lines only: needs a result format');
  return {
    name: req.name || packName,
    packHash,
    inputs: req.inputs,
    partitions,
    params: req.params,
    chunkSize,
    sortBufferBytes,
    maxAttempts: req.maxAttempts,
    speculation: !req.noSpeculation,
    resultFormat,
    resultLinesOnly: req.resultLinesOnly,
    allowEmpty: req.allowEmpty,
  };
}
