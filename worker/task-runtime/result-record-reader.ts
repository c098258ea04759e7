import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Counters, Key } from '../../common/index.js';
import { decodeKey, decodeValue, PART_FILE_END_BYTES, RecordFileReader } from '../../proto/formats/index.js';
import { readPartFileEnd, resultUri } from '../../proto/formats/index.js';
import { fetchPartitionToFile } from '../shuffle/index.js';
import type { FetchOpener } from '../shuffle/index.js';
import type { ResultInput, TaskSpec } from '../task-spec.js';

/** The copy of a remote part file, in the map attempt's own directory (deleted once read). */
export const FETCHED_INPUT_FILE = 'input-part.data';

/**
 * Counters of a chained map that read its part file from another worker: the wall time of
 * the fetch and its bytes (bytes / millis is its fetch rate, as for reducers).
 */
export const MAP_FETCH_MILLIS_COUNTER = 'groove.map.fetch.millis';
export const MAP_FETCH_BYTES_COUNTER = 'groove.map.fetch.bytes';

/** What reading a part file of an earlier job gave. */
export interface ResultReadSummary {
  readonly records: number;
  /** Bytes of the part file. */
  readonly bytesRead: number;
  /** Milliseconds spent fetching it from its holder; 0 when it was read in place. */
  readonly fetchMillis: number;
}

/**
 * Reads the records of an earlier job's part file (a chained job's map over
 * `mr://JOB/PARTITION`) and hands each to `onRecord` as a `[key, value]` array, decoded with
 * the codecs it was written with, so the types the first job emitted come back exactly.
 * A file on this worker is read in place; one on another worker is first fetched into the
 * attempt's directory over that worker's bulk port, through the daemon as reducers fetch
 * map outputs (this process never loads grpc-js), which is as fast as the shuffle.
 * @throws Error naming the input when the holder cannot be reached or the file is short or corrupt.
 */
export async function readResultRecords(
  spec: TaskSpec,
  input: ResultInput,
  openFetch: FetchOpener,
  onRecord: (record: [Key, unknown]) => void,
  progress: (coarse?: boolean) => void,
  counters: Counters,
): Promise<ResultReadSummary> {
  const name = resultUri(input.jobId, input.partition);
  let file = path.join(spec.dataDir, input.path);
  let fetchMillis = 0;
  if (input.workerId !== spec.workerId) {
    file = path.join(spec.dataDir, spec.workDir, FETCHED_INPUT_FILE);
    const started = performance.now();
    const request = {
      address: input.dataAddress,
      jobId: input.jobId,
      dir: '',
      partition: 0,
      resultPath: input.path,
      destination: file,
    };
    try {
      await fetchPartitionToFile(openFetch, request, { security: spec.security, onChunk: () => progress(true) });
    } catch (err) {
      fs.rmSync(file, { force: true });
      const where = `worker ${input.workerId} at ${input.dataAddress}`;
      throw new Error(`input ${name}: cannot read its part file from ${where}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    fetchMillis = Math.round(performance.now() - started);
    counters.increment(MAP_FETCH_MILLIS_COUNTER, fetchMillis);
    counters.increment(MAP_FETCH_BYTES_COUNTER, input.bytes);
  }
  try {
    const records = readPartFile(file, name, input.bytes, onRecord);
    return { records, bytesRead: input.bytes, fetchMillis };
  } finally {
    if (input.workerId !== spec.workerId) fs.rmSync(file, { force: true });
  }
}

/** Reads a whole part file's records (its end marker checked first); returns how many. */
function readPartFile(file: string, name: string, bytes: number, onRecord: (record: [Key, unknown]) => void): number {
  let size: number;
  try {
    size = fs.statSync(file).size;
  } catch (err) {
    throw new Error(`input ${name}: its part file is not on this worker any more (purged?)`, { cause: err });
  }
  // A copy cut short (or a file changed since its job committed it) is not read at all.
  if (size !== bytes) throw new Error(`input ${name}: its part file has ${size} bytes, its job wrote ${bytes}`);
  if (size < PART_FILE_END_BYTES) throw new Error(`input ${name}: its part file is too short to be one`);
  const end = Buffer.alloc(PART_FILE_END_BYTES);
  const fd = fs.openSync(file, 'r');
  try {
    fs.readSync(fd, end, 0, PART_FILE_END_BYTES, size - PART_FILE_END_BYTES);
  } finally {
    fs.closeSync(fd);
  }
  readPartFileEnd(name, end, size - PART_FILE_END_BYTES);
  const reader = RecordFileReader.open(file, 0, size - PART_FILE_END_BYTES);
  let records = 0;
  try {
    while (reader.next()) {
      records++;
      onRecord([decodeKey(reader.key), decodeValue(reader.value)]);
    }
  } finally {
    reader.close();
  }
  return records;
}
