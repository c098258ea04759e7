import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Key } from '../../common/index.js';
import { decodeKey, decodeValue, encodeKey, encodeValueOf, RecordFileReader, RecordFileWriter, ResultLinesWriter, resultLinesPath } from '../../proto/index.js';
import type { RecordSource } from '../../proto/index.js';
import { createWorkerClient, fetchPartitionToFile } from '../data-client.js';
import type { AnyJob } from '../job-loader.js';
import type { MapOutputSource, TaskResult, TaskSpec } from '../task-spec.js';
import { decodedValues } from './decoded-values.js';
import { forEachGroup } from './group-by-key.js';
import { copyRecords } from './identity-reduce.js';
import { mergeSources } from './kway-merge.js';
import { MAP_OUTPUT_DATA_FILE } from './map-output-buffer.js';
import { createTaskContext } from './task-context.js';
import type { JobLogSink } from './task-context.js';
import { FetchFailedError } from './fetch-failed-error.js';
import { UserCodeError } from './user-code-error.js';

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
 * place when this worker holds it) -> k-way merge -> group -> reduce -> part file, and,
 * when the job asked for them, the part's result lines next to it (converted from the
 * part file's bytes as they are written, so no pass after the job has to).
 * Fetching is asynchronous; the merge and the user's reduce run synchronously on
 * local files, so `values` can be a plain iterable streamed from disk.
 */
export async function runReduceTask(spec: TaskSpec, job: AnyJob, log: JobLogSink, progress: (coarse?: boolean) => void): Promise<TaskResult> {
  const started = Date.now();
  const partition = spec.partition;
  if (partition === undefined || !spec.sources) throw new Error(`reduce task ${spec.taskId} has no partition`);
  const dir = path.join(spec.dataDir, spec.workDir);
  fs.mkdirSync(dir, { recursive: true });

  const { sources, bytesIn, fetched, fetch } = await openSources(spec, spec.sources, partition, dir, progress);
  const ctx = createTaskContext(spec.taskId, spec.attempt, spec.params, '', log);
  const outPath = path.join(dir, PART_FILE);
  const lines = spec.resultFormat ? ResultLinesWriter.create(resultLinesPath(outPath, spec.resultFormat), spec.resultFormat) : undefined;
  let writer: RecordFileWriter;
  try {
    // Lines only: the records are still framed by the writer (the lines are made from its
    // bytes), and its file is the null device: a syscall per megabyte, no part file.
    writer = RecordFileWriter.create(lines && spec.resultLinesOnly ? os.devNull : outPath, lines ? { onBytes: (bytes) => lines.push(bytes) } : {});
  } catch (err) {
    lines?.close();
    throw err;
  }
  let recordsIn = 0;
  let recordsOut = 0;
  const emit = (key: Key, value: unknown): void => {
    writer.write(encodeKey(key), encodeValueOf(key, value));
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
      forEachGroup(merged, (keyBytes, values) => {
        const key = decodeKey(keyBytes);
        try {
          reduce(key, decodedValues(values, decodeValue, onValue), emit, ctx);
        } catch (err) {
          throw new UserCodeError('reduce', err, `key ${JSON.stringify(key)}`);
        }
      });
    } else {
      recordsIn = recordsOut = copyRecords(merged, writer, progress);
    }
  } finally {
    merged.close();
    try {
      writer.close();
    } finally {
      lines?.close();
      for (const f of fetched) fs.rmSync(f, { force: true });
    }
  }
  lines?.end();
  const bytes = writer.position;
  return {
    kind: 'reduce',
    path: path.join(spec.workDir, PART_FILE),
    records: recordsOut,
    bytes,
    counters: { ...ctx.counterValues, [FETCH_MILLIS_COUNTER]: fetch.millis, [FETCH_BYTES_COUNTER]: fetch.bytes },
    stats: { recordsIn, recordsOut, bytesIn, bytesOut: bytes, millis: Date.now() - started, spills: 0 },
  };
}

/** Opens every map output's piece of the partition: local ones in place, remote ones fetched to files first. */
async function openSources(
  spec: TaskSpec,
  outputs: readonly MapOutputSource[],
  partition: number,
  dir: string,
  progress: (coarse?: boolean) => void,
): Promise<{ sources: RecordSource[]; bytesIn: number; fetched: string[]; fetch: { millis: number; bytes: number } }> {
  // Indexed by map task so equal keys merge in map order, the same on every run.
  const slots: (RecordSource | undefined)[] = [];
  const fetched: string[] = [];
  // Opened once every fetch is done, so the merge's read blocks do not add to the memory
  // the fetch streams hold.
  const fetchedInto: (string | undefined)[] = [];
  let bytesIn = 0;
  let remoteBytes = 0;
  let fetchMillis = 0;
  const clients = new Map<string, ReturnType<typeof createWorkerClient>>();
  // The merge holds one read block per map output: share MERGE_READ_BUDGET among them.
  const blockBytes = Math.max(MIN_BLOCK_BYTES, Math.min(MAX_BLOCK_BYTES, Math.floor(MERGE_READ_BUDGET / Math.max(1, outputs.length))));
  const lost: string[] = [];
  let lastError = '';
  try {
    const remote: (() => Promise<void>)[] = [];
    outputs.forEach((out, i) => {
      const { start, end } = out;
      if (end <= start) return;
      bytesIn += end - start;
      if (out.workerId === spec.workerId) {
        // A local output that is gone (disk trouble, a purge) is a lost map output like a remote one.
        try {
          slots[i] = RecordFileReader.open(path.join(spec.dataDir, out.dir, MAP_OUTPUT_DATA_FILE), start, end, { blockBytes });
        } catch (err) {
          lost.push(out.taskId);
          lastError = `local: ${(err as Error).message}`;
        }
        return;
      }
      let client = clients.get(out.dataAddress);
      if (!client) {
        client = createWorkerClient(out.dataAddress, spec.security);
        clients.set(out.dataAddress, client);
      }
      remoteBytes += end - start;
      const file = path.join(dir, `fetch-${String(i).padStart(5, '0')}.data`);
      fetched.push(file);
      const workerClient = client;
      remote.push(() =>
        fetchPartitionToFile(workerClient, { jobId: spec.jobId, dir: out.dir, partition }, file, { dataAddress: out.dataAddress, security: spec.security, onChunk: () => progress(true) }).then(
          () => {
            fetchedInto[i] = file;
          },
          (err: unknown) => {
            lost.push(out.taskId);
            lastError = `${out.dataAddress}: ${(err as Error).message}`;
          },
        ),
      );
    });
    // A few fetches at a time keep the pipes full without thousands of open streams.
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < remote.length) await (remote[next++] as () => Promise<void>)();
    };
    const fetchStarted = performance.now();
    await Promise.all(Array.from({ length: Math.min(FETCH_PARALLELISM, remote.length) }, lane));
    if (remote.length) fetchMillis = Math.round(performance.now() - fetchStarted);
  } finally {
    for (const c of clients.values()) c.close();
  }
  if (lost.length) {
    for (const s of slots) s?.close();
    throw new FetchFailedError(lost.sort(), lastError);
  }
  try {
    fetchedInto.forEach((file, i) => {
      if (file !== undefined) slots[i] = RecordFileReader.open(file, 0, undefined, { blockBytes });
    });
  } catch (err) {
    for (const s of slots) s?.close();
    throw err;
  }
  const sources = slots.filter((s): s is RecordSource => s !== undefined);
  return { sources, bytesIn, fetched, fetch: { millis: fetchMillis, bytes: remoteBytes } };
}
