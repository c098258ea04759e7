import { UserError, errorMessage } from '../common/index.js';
import type { Key } from '../common/index.js';
import {
  chooseSplits,
  encodeJobPack,
  encodeKey,
  inputCodecOf,
  isResultUri,
  tuplePrefixEnd,
} from '../proto/formats/index.js';
import { storageFor } from '../storage/index.js';
import type { StorageEntry } from '../storage/index.js';
import { createTaskContext, readPiece } from '../worker/index.js';
import type { AnyJob } from '../worker/index.js';
import type { PackedJob } from './job-bundler.js';
import { reservoirOf, resultPlacesOf } from './result-sampler.js';
import type { ResultPlace, ResultSource } from './result-sampler.js';

/**
 * Bounds of the sample a totalOrder job's split points come from (docs/sorting.md). They
 * do not grow with the input: a 1 TB input costs the same few MiB of reads as a 1 GB one.
 */
export const SAMPLE_LIMITS = {
  /** Input records given to map in all. */
  records: 10_000,
  /** Map output keys kept (a map may emit many per record). */
  keys: 50_000,
  /** Bytes of those keys (or group prefixes) kept. */
  keyBytes: 16 * 1024 * 1024,
  /** Places read, spread over the files by size; each file gets at least one while they last. */
  pieces: 128,
  /** Most bytes one place reads its records from (the last line may run past it). */
  pieceBytes: 256 * 1024,
  /** Files listed under one directory input. */
  filesPerInput: 10_000,
  /** Places read at once (remote stores answer each with a round trip). */
  parallel: 4,
  /** Records given to map from one partition of an earlier job's results (`mr://`). */
  recordsPerPartition: 2_000,
  /**
   * Records read from the partitions of `mr://` inputs, all together, shared evenly (each
   * reads at least recordsPerPartition): a partition is read as a stream from its start, and
   * the records mapped are an even sample of those read (see reservoirOf in sdk/result-sampler.ts).
   */
  resultScanRecords: 500_000,
  /**
   * Milliseconds the partitions of `mr://` inputs are read for, all together: past it the
   * ones not read yet are left out of the sample, so a slow worker cannot hold up a submission.
   */
  resultMillis: 20_000,
} as const;

/** Hidden and underscore names are not inputs (as the master's input resolver skips them). */
const skipName = (name: string): boolean => name.startsWith('.') || name.startsWith('_');

/** Thrown from a record callback to stop reading a place once it gave its share. */
class Enough extends Error {}

/** One place of an input file read for the sample. */
interface SamplePlace {
  readonly path: string;
  readonly start: number;
  readonly length: number;
}

/** A place of either kind: a piece of a file, or a partition of an earlier job's results. */
type AnyPlace = { readonly file: SamplePlace } | { readonly result: ResultPlace };

/** What one place may give the sample. */
interface Share {
  readonly records: number;
  readonly keys: number;
}

/**
 * Returns the packed job with the split points of its total order: for a job with
 * `totalOrder`, the quantiles of the map output keys (or group prefixes) of a bounded
 * sample of the input records, spread over the files and over places in each, written
 * into the pack for the map tasks' range partitioner. Results of earlier jobs (`mr://`)
 * are sampled through `results` (the submitting client), a few thousand records spread over
 * each of their partitions; without it they are not sampled. Any other job is returned as it is.
 * @throws UserError when the job's map fails on a sampled record, or an input is not text.
 */
export async function withSplitPoints(
  packed: PackedJob,
  inputs: readonly string[],
  partitions: number,
  params: Readonly<Record<string, string>>,
  results?: ResultSource,
): Promise<PackedJob> {
  const job = packed.job;
  // A staged job has no total order of its own (defineJob refuses it in a stage).
  if (job.stages !== undefined || job.totalOrder !== true) return packed;
  const sample = partitions > 1 ? await sampleKeys(job, inputs, params, results) : [];
  const splits = chooseSplits(sample, partitions).map((s) => s.toString('base64'));
  const pack = { ...packed.pack, splits };
  return { ...packed, pack, bytes: encodeJobPack(pack) };
}

/**
 * Encoded map output keys of a sample of the inputs' records (with the job's groupPrefix,
 * the prefixes), at most {@link SAMPLE_LIMITS}.keys of them: from the files, and from the
 * partitions of `mr://` inputs read through `results` (files and results sampled together,
 * each place its share).
 */
export async function sampleKeys(
  job: AnyJob,
  inputs: readonly string[],
  params: Readonly<Record<string, string>>,
  results?: ResultSource,
  /** How long all reads of `mr://` results may take together, ms. Default {@link SAMPLE_LIMITS}.resultMillis. */
  resultMillis: number = SAMPLE_LIMITS.resultMillis,
): Promise<Buffer[]> {
  const files = await listFiles(inputs);
  const resultPlaces = results ? await resultPlacesOf(results, inputs, SAMPLE_LIMITS.pieces) : [];
  const places: AnyPlace[] = [
    ...placesOf(files, job).map((file) => ({ file })),
    ...resultPlaces.map((result) => ({ result })),
  ];
  const resultRead = {
    deadline: Date.now() + resultMillis,
    scan: Math.max(
      SAMPLE_LIMITS.recordsPerPartition,
      Math.floor(SAMPLE_LIMITS.resultScanRecords / Math.max(1, resultPlaces.length)),
    ),
  };
  const shares = Math.max(1, places.length);
  const share = {
    records: Math.max(1, Math.ceil(SAMPLE_LIMITS.records / shares)),
    keys: Math.max(1, Math.ceil(SAMPLE_LIMITS.keys / shares)),
  };
  const keys: Buffer[] = [];
  let keyBytes = 0;
  const full = (): boolean => keys.length >= SAMPLE_LIMITS.keys || keyBytes >= SAMPLE_LIMITS.keyBytes;
  const n = job.groupPrefix;
  const keep = (key: Key): void => {
    if (full()) return;
    const bytes = encodeKey(key);
    const kept = n === undefined ? bytes : Buffer.from(bytes.subarray(0, tuplePrefixEnd(bytes, 0, bytes.length, n)));
    keys.push(kept);
    keyBytes += kept.length;
  };
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < places.length && !full()) {
      const place = places[next++] as AnyPlace;
      if ('file' in place) await samplePlace(place.file, job, params, share, keep);
      else if (results) await sampleResultPlace(results, place.result, resultRead, job, params, share, keep);
    }
  };
  await Promise.all(Array.from({ length: SAMPLE_LIMITS.parallel }, lane));
  return keys;
}

/**
 * The record callback of one place: maps each record, its keys to `keep`, and throws
 * {@link Enough} once the place gave its share of records or of keys (so a map that emits
 * many keys per record still samples every place).
 */
function placeMapper(
  name: string,
  job: AnyJob,
  params: Readonly<Record<string, string>>,
  share: Share,
  keep: (key: Key) => void,
): { readonly ctx: ReturnType<typeof createTaskContext>; readonly onRecord: (record: unknown) => void } {
  // Job code's log lines and counters of the sample go nowhere: the job's own tasks make them.
  const ctx = createTaskContext('sample', 0, params, name, () => undefined);
  let records = 0;
  let keys = 0;
  const emit = (key: Key): void => {
    if (keys++ < share.keys) keep(key);
  };
  const onRecord = (record: unknown): void => {
    try {
      job.map(record, emit, ctx);
    } catch (err) {
      throw new UserError(`totalOrder sampling: map failed on a record of ${name}: ${errorMessage(err)}`, {
        cause: err,
      });
    }
    if (++records >= share.records || keys >= share.keys) throw new Enough();
  };
  return { ctx, onRecord };
}

/** Maps the records of one place of a file until it gave its share (see {@link placeMapper}). */
async function samplePlace(
  place: SamplePlace,
  job: AnyJob,
  params: Readonly<Record<string, string>>,
  share: Share,
  keep: (key: Key) => void,
): Promise<void> {
  const { ctx, onRecord } = placeMapper(place.path, job, params, share, keep);
  try {
    await readPiece(place, job, ctx, onRecord);
  } catch (err) {
    if (err instanceof Enough) return;
    if (err instanceof UserError) throw err;
    throw new UserError(`totalOrder sampling: ${errorMessage(err)}`, { cause: err });
  }
}

/**
 * Maps an even sample of the first records of one partition of an earlier job's results
 * (see reservoirOf), `[key, value]` as its map tasks get them: at most its share or
 * {@link SAMPLE_LIMITS}.recordsPerPartition, read until `read.scan` records or the deadline
 * of all result reads.
 */
async function sampleResultPlace(
  source: ResultSource,
  place: ResultPlace,
  read: { readonly deadline: number; readonly scan: number },
  job: AnyJob,
  params: Readonly<Record<string, string>>,
  share: Share,
  keep: (key: Key) => void,
): Promise<void> {
  const records = Math.min(share.records, SAMPLE_LIMITS.recordsPerPartition);
  let sample: [Key, unknown][];
  try {
    sample = await reservoirOf(source, place, read.deadline, Math.max(records, read.scan), records);
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(`totalOrder sampling: ${place.name}: ${errorMessage(err)}`, { cause: err });
  }
  const { onRecord } = placeMapper(place.name, job, params, { ...share, records }, keep);
  try {
    for (const record of sample) onRecord(record);
  } catch (err) {
    if (!(err instanceof Enough)) throw err;
  }
}

/** The files of the inputs (directories listed, hidden and `_` names skipped), with their sizes. */
async function listFiles(inputs: readonly string[]): Promise<StorageEntry[]> {
  const files: StorageEntry[] = [];
  for (const input of inputs) {
    if (isResultUri(input)) continue;
    try {
      const storage = storageFor(input);
      const stat = await storage.stat(input);
      if (stat.kind === 'object') {
        // Read as a stream only: one place, from its first byte.
        files.push(stat.rangeReads === false ? { url: stat.url, size: Infinity } : stat);
      } else if (stat.kind === 'directory') {
        files.push(...(await storage.list(input, { skipName, limit: SAMPLE_LIMITS.filesPerInput })));
      }
    } catch {
      // Not ours to read: the master says what is wrong with it when the job is submitted.
    }
  }
  return files;
}

/**
 * Where to read: the pieces spread over the files by size, several evenly spaced places in
 * a large file. A file that can only be read from its start (compressed, CSV, of unknown
 * size) gets one place at byte 0. With more files than pieces, every so many files.
 */
function placesOf(files: readonly StorageEntry[], job: AnyJob): SamplePlace[] {
  const picked =
    files.length <= SAMPLE_LIMITS.pieces
      ? files
      : Array.from(
          { length: SAMPLE_LIMITS.pieces },
          (_, i) => files[Math.floor((i * files.length) / SAMPLE_LIMITS.pieces)] as StorageEntry,
        );
  const known = picked.filter((f) => Number.isFinite(f.size));
  const total = known.reduce((sum, f) => sum + f.size, 0);
  const places: SamplePlace[] = [];
  for (const file of picked) {
    if (file.size === 0) continue;
    const fromStart = !Number.isFinite(file.size) || job.reader === 'csv' || inputCodecOf(file.url) !== undefined;
    if (fromStart) {
      places.push({ path: file.url, start: 0, length: file.size });
      continue;
    }
    const count = Math.max(1, Math.round((SAMPLE_LIMITS.pieces * file.size) / Math.max(1, total)));
    const length = Math.max(1, Math.min(SAMPLE_LIMITS.pieceBytes, Math.floor(file.size / count)));
    for (let i = 0; i < count; i++) places.push({ path: file.url, start: Math.floor((i * file.size) / count), length });
  }
  return places;
}
