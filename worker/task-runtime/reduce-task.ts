import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Key } from '../../common/index.js';
import { decodeKey, encodeKey, prefixTupleBytes } from '../../proto/formats/index.js';
import { decodeValue, encodeValueOf } from '../../proto/formats/index.js';
import { encodePartFileEnd } from '../../proto/formats/index.js';
import { RecordFileError, RecordFileReader, RecordFileWriter, ResultLinesWriter } from '../../proto/formats/index.js';
import type { RecordSource } from '../../proto/formats/index.js';
import { fetchPartitionToFile } from '../shuffle/index.js';
import type { FetchOpener } from '../shuffle/index.js';
import type { AnyJob } from '../job-loader.js';
import type { MapOutputSource, TaskResult, TaskSpec } from '../task-spec.js';
import { decodedValues } from './decoded-values.js';
import { forEachGroup } from './group-by-key.js';
import { groupEndFor } from './key-partitioner.js';
import { copyRecords } from './identity-reduce.js';
import { mergeSources } from './kway-merge.js';
import { MAP_OUTPUT_DATA_FILE } from '../../proto/formats/index.js';
import { createTaskContext } from './task-context.js';
import type { JobLogSink } from './task-context.js';
import { FetchFailedError } from '../shuffle/index.js';
import { LocalWriteError } from '../local-write-error.js';
import { UserCodeError } from './user-code-error.js';
import { runCleanup, runSetup } from './task-hooks.js';
import { storageFor } from '../../storage/index.js';
import type { StagedObject } from '../../storage/index.js';
import type { ResultFormat } from '../../proto/formats/index.js';

/** Memory the merge's read blocks may take in all, and the bounds of one block. */
const MERGE_READ_BUDGET = 64 * 1024 * 1024;
const MIN_BLOCK_BYTES = 16 * 1024;
const MAX_BLOCK_BYTES = 1024 * 1024;

/** How many map outputs a reducer fetches at once. */
const FETCH_PARALLELISM = 8;

/**
 * Groove's counters of the remote part of the shuffle, summed over reduce tasks like the
 * other groove.* counters: the wall time a reduce spent fetching map outputs from other
 * workers (first fetch started to last one finished; local outputs are read in place and
 * not counted), and the bytes it fetched so. Bytes / millis is the fetch rate of a reducer.
 */
export const FETCH_MILLIS_COUNTER = 'groove.reduce.fetch.millis';
export const FETCH_BYTES_COUNTER = 'groove.reduce.fetch.bytes';

/** The name of a reduce attempt's output inside its directory. */
export const PART_FILE = 'part.data';

/**
 * Runs one reduce attempt: fetch the partition's piece of every map output (read in
 * place when this worker holds it) -> k-way merge -> group -> reduce -> part file. The
 * part file is the job's typed result, read by the consumers of a job without an output
 * store (`mr run`, `mr results`, `results()`, --output DIR): it is written through the
 * storage seam, staged and committed whole only when the attempt succeeded, so no reader
 * ever sees half of one. A job with an output store (`spec.output`) also gets the part's
 * result lines, converted as the part file's blocks are written (one pass), staged at the
 * attempt's temporary URL and committed (uploaded) before the part file: the master
 * promotes the winner's object at the job's commit (master/output-committer.ts).
 * Fetching is asynchronous; the merge and the user's reduce run synchronously on
 * local files, so `values` can be a plain iterable streamed from disk.
 */
export async function runReduceTask(
  spec: TaskSpec,
  job: AnyJob,
  log: JobLogSink,
  progress: (coarse?: boolean) => void,
  openFetch: FetchOpener,
): Promise<TaskResult> {
  const started = Date.now();
  const partition = spec.partition;
  if (partition === undefined || !spec.sources) throw new Error(`reduce task ${spec.taskId} has no partition`);
  const dir = path.join(spec.dataDir, spec.workDir);
  fs.mkdirSync(dir, { recursive: true });
  // Results live on this worker for now (the next step puts them in an object store).
  const outUrl = path.join(dir, PART_FILE);
  // Every fetched copy goes when the attempt ends, whatever the outcome; a failed attempt's
  // output goes too: a full disk must not stay full because of it.
  const fetched: string[] = [];
  // The map task whose output each source file holds (in place or a fetched copy).
  const owners = new Map<string, string>();
  let staged: StagedObject | undefined;
  let lines: StagedObject | undefined;
  let succeeded = false;
  try {
    const opened = await openSources(spec, spec.sources, partition, dir, { fetched, owners }, progress, openFetch);
    try {
      staged = await storageFor(outUrl).stage(outUrl);
      if (spec.output) lines = await storageFor(spec.output.url).stage(spec.output.url);
    } catch (err) {
      for (const s of opened.sources) s.close();
      throw err;
    }
    const linesOut = lines && spec.output ? { path: lines.localPath, format: spec.output.format } : undefined;
    const result = await reduceSources(spec, job, log, progress, opened, staged.localPath, linesOut);
    await lines?.commit();
    await staged.commit();
    succeeded = true;
    return { ...result, outputUrl: spec.output?.url, stats: { ...result.stats, millis: Date.now() - started } };
  } catch (err) {
    throw err instanceof RecordFileError ? lostIfMapOutput(err, owners) : err;
  } finally {
    for (const f of fetched) fs.rmSync(f, { force: true });
    if (!succeeded) {
      await staged?.abort();
      await lines?.abort();
    }
  }
}

/** Opens the part file's writer and, for a job with an output store, the lines writer fed by its blocks. */
function openWriters(
  outPath: string,
  linesOut: { path: string; format: ResultFormat } | undefined,
): { writer: RecordFileWriter; lines: ResultLinesWriter | undefined } {
  const lines = linesOut ? ResultLinesWriter.create(linesOut.path, linesOut.format) : undefined;
  try {
    const writer = RecordFileWriter.create(outPath, lines ? { onBytes: (b) => lines.push(b) } : {});
    return { writer, lines };
  } catch (err) {
    lines?.close();
    throw err;
  }
}

/**
 * Calls reduce once per group of the merged sources: per key, or per key prefix with a
 * groupPrefix (secondary sort), when each value's own key is decoded for ctx.valueKey as
 * it is taken.
 */
function reduceGroups(
  merged: ReturnType<typeof mergeSources>,
  reduce: Exclude<AnyJob['reduce'], false | undefined>,
  groupEnd: ReturnType<typeof groupEndFor>,
  ctx: ReturnType<typeof createTaskContext>,
  emit: (key: Key, value: unknown) => void,
  onValue: () => void,
): void {
  const onGroupValue = groupEnd
    ? (): void => {
        ctx.valueKey = decodeKey(merged.key);
        onValue();
      }
    : onValue;
  forEachGroup(
    merged,
    (keyBytes, values) => {
      const key = decodeKey(groupEnd ? prefixTupleBytes(keyBytes, 0, keyBytes.length) : keyBytes);
      ctx.valueKey = key;
      try {
        reduce(key, decodedValues(values, decodeValue, onGroupValue), emit, ctx);
      } catch (err) {
        // A bad block met while the values streamed is the input's fault, not the user's code.
        if (err instanceof RecordFileError) throw err;
        throw new UserCodeError('reduce', err, `key ${JSON.stringify(key)}`);
      }
    },
    { groupEnd },
  );
}

/** Merges, groups and reduces the opened sources into the part file at `outPath` (the staged object's local file). */
async function reduceSources(
  spec: TaskSpec,
  job: AnyJob,
  log: JobLogSink,
  progress: (coarse?: boolean) => void,
  opened: OpenedSources,
  outPath: string,
  linesOut?: { path: string; format: ResultFormat },
): Promise<Extract<TaskResult, { kind: 'reduce' }>> {
  const { sources, bytesIn, fetch } = opened;
  const ctx = createTaskContext(spec.taskId, spec.attempt, spec.params, '', log);
  try {
    await runSetup(job, 'reduce', ctx);
  } catch (err) {
    for (const s of sources) s.close();
    throw err;
  }
  let writer: RecordFileWriter;
  let lines: ResultLinesWriter | undefined;
  try {
    ({ writer, lines } = openWriters(outPath, linesOut));
  } catch (err) {
    for (const s of sources) s.close();
    throw err;
  }
  let recordsIn = 0;
  let recordsOut = 0;
  const emit = (key: Key, value: unknown): void => {
    // A word and its count (the usual result) are encoded in place; anything else by the codecs.
    const scalar =
      typeof key === 'string' &&
      (typeof value === 'number' || typeof value === 'string') &&
      writer.writeScalarPair(key, value);
    if (!scalar) writer.write(encodeKey(key), encodeValueOf(key, value));
    recordsOut++;
  };
  const reduce = job.reduce;
  const onValue = (): void => {
    recordsIn++;
    progress();
  };
  const merged = mergeSources(sources);
  try {
    if (reduce) {
      reduceGroups(merged, reduce, groupEndFor(job), ctx, emit, onValue);
    } else {
      recordsIn = recordsOut = copyRecords(merged, writer, progress);
    }
    await runCleanup(job, 'reduce', emit, ctx);
    // The end marker makes a part file cut at a block boundary detectably short.
    writer.endBlock();
    const { payloadBytes, blocks } = writer.records;
    writer.writeRaw(encodePartFileEnd(payloadBytes, blocks));
    lines?.end();
  } finally {
    merged.close();
    writer.close();
    lines?.close();
  }
  const bytes = writer.position;
  return {
    kind: 'reduce',
    path: path.join(spec.workDir, PART_FILE),
    records: recordsOut,
    bytes,
    counters: { ...ctx.counterValues, [FETCH_MILLIS_COUNTER]: fetch.millis, [FETCH_BYTES_COUNTER]: fetch.bytes },
    stats: { recordsIn, recordsOut, bytesIn, bytesOut: bytes, millis: 0, spills: 0 },
  };
}

/**
 * A bad block or short file met while merging: when it is a map output's (read in place
 * or a fetched copy), that output is lost, as if it could not be fetched: the map runs
 * again. Anything else is the reduce's own failure.
 */
function lostIfMapOutput(err: RecordFileError, owners: ReadonlyMap<string, string>): Error {
  const taskId = owners.get(err.path);
  return taskId === undefined
    ? err
    : new FetchFailedError([taskId], `its output is corrupt: ${err.message}`, { cause: err });
}

interface OpenedSources {
  readonly sources: RecordSource[];
  readonly bytesIn: number;
  readonly fetch: { millis: number; bytes: number };
}

/**
 * Opens every map output's piece of the partition: local ones in place, remote ones fetched
 * to files first (listed in `files.fetched` as they are created, for the caller to remove;
 * `files.owners` gets the map task of every file opened). An output that cannot be had is
 * lost ({@link FetchFailedError}); a fetch that failed writing this worker's own disk is
 * this worker's failure ({@link LocalWriteError}), not the map's. Remote ones are opened
 * through the daemon (`openFetch`), which makes the gRPC calls.
 */
async function openSources(
  spec: TaskSpec,
  outputs: readonly MapOutputSource[],
  partition: number,
  dir: string,
  files: { fetched: string[]; owners: Map<string, string> },
  progress: (coarse?: boolean) => void,
  openFetch: FetchOpener,
): Promise<OpenedSources> {
  // Indexed by map task so equal keys merge in map order, the same on every run.
  const slots: (RecordSource | undefined)[] = [];
  // Opened once every fetch is done, so the merge's read blocks do not add to the memory
  // the fetch streams hold.
  const fetchedInto: (string | undefined)[] = [];
  let bytesIn = 0;
  let remoteBytes = 0;
  let fetchMillis = 0;
  // The merge holds one read block per map output: share MERGE_READ_BUDGET among them.
  const blockBytes = Math.max(
    MIN_BLOCK_BYTES,
    Math.min(MAX_BLOCK_BYTES, Math.floor(MERGE_READ_BUDGET / Math.max(1, outputs.length))),
  );
  const lost: string[] = [];
  let lastError = '';
  let localFailure: LocalWriteError | undefined;
  const remote: (() => Promise<void>)[] = [];
  outputs.forEach((out, i) => {
    const { start, end } = out;
    if (end <= start) return;
    bytesIn += end - start;
    if (out.workerId === spec.workerId) {
      // A local output that is gone (disk trouble, a purge) is a lost map output like a remote one.
      const file = path.join(spec.dataDir, out.dir, MAP_OUTPUT_DATA_FILE);
      try {
        slots[i] = RecordFileReader.open(file, start, end, { blockBytes });
        files.owners.set(file, out.taskId);
      } catch (err) {
        lost.push(out.taskId);
        lastError = `local: ${(err as Error).message}`;
      }
      return;
    }
    remoteBytes += end - start;
    const file = path.join(dir, `fetch-${String(i).padStart(5, '0')}.data`);
    files.fetched.push(file);
    files.owners.set(file, out.taskId);
    const request = { address: out.dataAddress, jobId: spec.jobId, dir: out.dir, partition, destination: file };
    remote.push(() =>
      fetchPartitionToFile(openFetch, request, { security: spec.security, onChunk: () => progress(true) }).then(
        () => {
          fetchedInto[i] = file;
        },
        (err: unknown) => {
          if (err instanceof LocalWriteError) {
            localFailure ??= err;
            return;
          }
          lost.push(out.taskId);
          lastError = `${out.dataAddress}: ${(err as Error).message}`;
        },
      ),
    );
  });
  // A few fetches at a time keep the pipes full without thousands of open streams; once
  // this worker's disk fails, the rest are not started.
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < remote.length && !localFailure) await (remote[next++] as () => Promise<void>)();
  };
  const fetchStarted = performance.now();
  await Promise.all(Array.from({ length: Math.min(FETCH_PARALLELISM, remote.length) }, lane));
  if (remote.length) fetchMillis = Math.round(performance.now() - fetchStarted);
  if (localFailure || lost.length) {
    for (const s of slots) s?.close();
    if (localFailure) throw localFailure;
    throw new FetchFailedError(lost.sort(), lastError);
  }
  openFetchedCopies(fetchedInto, outputs, slots, blockBytes);
  const sources = slots.filter((s): s is RecordSource => s !== undefined);
  return { sources, bytesIn, fetch: { millis: fetchMillis, bytes: remoteBytes } };
}

/**
 * Opens the fetched copies into their slots. A copy must be as long as the range asked for:
 * a short one (cut on this disk after the fetch) is a lost output of its map.
 */
function openFetchedCopies(
  files: readonly (string | undefined)[],
  outputs: readonly MapOutputSource[],
  slots: (RecordSource | undefined)[],
  blockBytes: number,
): void {
  for (let i = 0; i < files.length; i++) {
    const file = files[i];
    if (file === undefined) continue;
    const out = outputs[i] as MapOutputSource;
    try {
      slots[i] = RecordFileReader.open(file, 0, out.end - out.start, { blockBytes });
    } catch (err) {
      for (const s of slots) s?.close();
      if (err instanceof RangeError)
        throw new FetchFailedError([out.taskId], `its fetched copy is short: ${err.message}`, { cause: err });
      throw err;
    }
  }
}
