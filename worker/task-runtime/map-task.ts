import * as path from 'node:path';
import * as fs from 'node:fs';
import { isFold } from '../../common/index.js';
import type { CombineValues, Key } from '../../common/index.js';
import { checkValue, decodeValue, encodeValueOf, UnstorableValueError } from '../../proto/formats/index.js';
import { decodeKey, encodeKey } from '../../proto/formats/index.js';
import type { AnyJob } from '../job-loader.js';
import type { InputPiece, TaskResult, TaskSpec } from '../task-spec.js';
import type { LineReadResult } from './line-reader.js';
import { readPiece } from './piece-reader.js';
import { MapOutputBuffer } from './map-output-buffer.js';
import type { ByteCombiner } from './map-output-buffer.js';
import { createTaskContext } from './task-context.js';
import type { JobLogSink, TaskContext } from './task-context.js';
import { InMapCombiner } from './in-map-combiner.js';
import type { ValueCombiner } from './in-map-combiner.js';
import { InMapFolder } from './in-map-folder.js';
import type { Fold } from './in-map-folder.js';
import { UserCodeError } from './user-code-error.js';
import { runCleanup, runSetup } from './task-hooks.js';
import { decodedValues } from './decoded-values.js';
import { readResultRecords } from './result-record-reader.js';
import type { FetchOpener } from '../shuffle/index.js';
import { keyPartitionerFor } from './key-partitioner.js';

/** Characters of the input that were invalid UTF-8, read as U+FFFD (shown by `mr status` when not 0). */
export const REPLACED_CHARS_COUNTER = 'groove.map.input.invalid-utf8-chars';

/** A map attempt's counters: the job's, and the invalid UTF-8 its input had, when any. */
export function mapCounters(ctx: TaskContext, replacedChars: number): Record<string, number> {
  return replacedChars > 0
    ? { ...ctx.counterValues, [REPLACED_CHARS_COUNTER]: replacedChars }
    : { ...ctx.counterValues };
}

/**
 * Runs one map attempt: read the split's records (one chunk of a file, or several small
 * files whole, piece by piece) -> map -> partition -> buffer (sorted,
 * combined, spilled past the sort buffer) -> one output file with a partition index in
 * the attempt's own directory. The input is read through the storage seam (any scheme
 * with a backend); the map output is local scratch and stays on this worker's disk.
 * `splits` are a totalOrder job's split points, from its pack.
 */
export async function runMapTask(
  spec: TaskSpec,
  job: AnyJob,
  log: JobLogSink,
  progress: (coarse?: boolean) => void,
  openFetch?: FetchOpener,
  splits?: readonly Buffer[],
): Promise<TaskResult> {
  const started = Date.now();
  const pieces = spec.input;
  if (!pieces?.length) throw new Error(`map task ${spec.taskId} has no input`);
  const ctx = createTaskContext(spec.taskId, spec.attempt, spec.params, (pieces[0] as InputPiece).path, log);
  const dir = path.join(spec.dataDir, spec.workDir);
  fs.mkdirSync(dir, { recursive: true });
  const R = spec.partitions;
  // With a combiner, half the memory goes to in-mapper combining and half to the sort buffer.
  const combining = job.combine !== undefined;
  const buffer = new MapOutputBuffer({
    partitions: R,
    bufferBytes: combining ? Math.max(32 * 1024, Math.floor(spec.sortBufferBytes / 2)) : spec.sortBufferBytes,
    dir,
    combiner: job.combine ? userCombiner(job, ctx) : undefined,
    partitionOf: job.partition ? undefined : keyPartitionerFor(job, splits, R),
    combinerKeepsSingles: true,
  });

  const userPartition = job.partition;
  let emitted = 0;
  const toBuffer = (key: Key, value: unknown): void => {
    let p: number | undefined;
    if (userPartition) {
      // A key that is not a Key fails with the codec's message before the job's
      // partition() sees it (string keys are checked as they are encoded).
      if (typeof key !== 'string') encodeKey(key);
      try {
        p = userPartition(key, R, ctx);
      } catch (err) {
        // Named as the partitioner's, with its stack, so the user is sent to that line, not map's.
        throw new UserCodeError('partition', err, `key ${JSON.stringify(key)}`);
      }
      if (!Number.isInteger(p) || p < 0 || p >= R)
        throw new RangeError(`partition() returned ${String(p)} for ${R} partitions`);
    }
    buffer.addPair(p, key, value);
    emitted++;
  };
  const { emit, inMap } = inMapCombining(job, ctx, Math.floor(spec.sortBufferBytes / 2), toBuffer);
  await runSetup(job, 'map', ctx);
  const read = await mapPieces(pieces, job, ctx, emit, progress, { spec, openFetch });
  await runCleanup(job, 'map', emit, ctx);
  try {
    inMap?.flush();
  } catch (err) {
    // Every value was checked as it went in; a combined one that slipped through is still the job's.
    throw err instanceof UnstorableValueError ? new UserCodeError('combine', err, 'the end of the chunk') : err;
  }
  const out = buffer.finish();
  return {
    kind: 'map',
    dir: spec.workDir,
    offsets: out.offsets,
    counters: mapCounters(ctx, read.replacedChars),
    stats: {
      recordsIn: read.records,
      recordsOut: emitted,
      bytesIn: read.bytesRead,
      bytesOut: out.bytes,
      millis: Date.now() - started,
      spills: out.spills,
    },
  };
}

/** What reading a part file of an earlier job (mr://) needs beyond the piece. */
export interface ResultReadContext {
  readonly spec: TaskSpec;
  readonly openFetch: FetchOpener | undefined;
}

/**
 * (Also the map-only task's reading, map-only-task.ts.)
 * Maps the records of every piece of the split, in order, with `ctx.input` naming the
 * piece's file for each of its records; the counts add up across pieces. A piece that is
 * an earlier job's part file (mr://) gives [key, value] records; any other, what the job's
 * reader makes of it (piece-reader.ts).
 */
export async function mapPieces(
  pieces: readonly InputPiece[],
  job: AnyJob,
  ctx: TaskContext,
  emit: (key: Key, value: unknown) => void,
  progress: (coarse?: boolean) => void,
  chained: ResultReadContext,
): Promise<LineReadResult> {
  let records = 0;
  let bytesRead = 0;
  let replaced = 0;
  for (const [i, piece] of pieces.entries()) {
    ctx.input = piece.path;
    let n = 0;
    // One piece is a chunk, as it always was; of packed files, say which file and which piece.
    const where =
      pieces.length === 1
        ? (): string => `record ${n} of the chunk`
        : (): string => `record ${n} of ${piece.path} (input ${i + 1} of ${pieces.length} of the split)`;
    const onRecord = (record: unknown): void => {
      n++;
      progress();
      try {
        job.map(record, emit, ctx);
      } catch (err) {
        throw err instanceof UserCodeError ? err : new UserCodeError('map', err, where());
      }
    };
    const read = piece.result
      ? {
          replacedChars: 0,
          ...(await readResultRecords(
            chained.spec,
            piece.result,
            noFetch(chained.openFetch),
            onRecord,
            progress,
            ctx.counters,
          )),
        }
      : await readPiece(piece, job, ctx, onRecord);
    records += read.records;
    bytesRead += read.bytesRead;
    replaced += read.replacedChars;
  }
  return { records, bytesRead, replacedChars: replaced };
}

/** The daemon's fetch opener, which a map reading a remote part file needs. */
function noFetch(openFetch: FetchOpener | undefined): FetchOpener {
  return (
    openFetch ?? (() => Promise.resolve({ kind: 'failed', message: 'this process fetches nothing', local: false }))
  );
}

/** The user's combine over decoded values, for in-mapper combining; it must keep the key. */
function valueCombiner(job: AnyJob, ctx: ReturnType<typeof createTaskContext>): ValueCombiner {
  const combine = job.combine;
  if (!combine || isFold(combine)) throw new Error('no iterable combiner');
  return (key, values) => {
    const out: unknown[] = [];
    const keyBytes = typeof key === 'string' ? undefined : encodeKey(key);
    try {
      combine(
        key,
        values,
        (k, v) => {
          const same = keyBytes === undefined ? k === key : typeof k !== 'string' && encodeKey(k).equals(keyBytes);
          if (!same)
            throw new Error(
              `combine must emit the key it was given (${JSON.stringify(key)}), not ${JSON.stringify(k)}`,
            );
          checkValue(k, v);
          out.push(v);
        },
        ctx,
      );
    } catch (err) {
      throw new UserCodeError('combine', err, `key ${JSON.stringify(key)}`);
    }
    return out;
  };
}

/** Adapts the user's typed combine to the byte-level combiner of the map output buffer. */
function userCombiner(job: AnyJob, ctx: ReturnType<typeof createTaskContext>): ByteCombiner {
  const combine = job.combine;
  if (!combine) throw new Error('no combiner');
  const fold = isFold(combine) ? (combine as Fold) : undefined;
  return (keyBytes, values, emitBytes) => {
    // A key with one value (the usual case after in-mapper combining) passes through
    // as bytes: nothing to combine, so nothing to decode and encode again.
    const it = values[Symbol.iterator]();
    const first = it.next();
    if (first.done) return;
    // A value is a view valid until the next step of the iteration: keep a copy to look one ahead.
    const firstValue = Buffer.from(first.value);
    const second = it.next();
    if (second.done) {
      emitBytes(keyBytes, firstValue);
      return;
    }
    const rest: Iterable<Buffer> = { [Symbol.iterator]: () => it };
    const all = (function* () {
      yield firstValue;
      yield second.value;
      yield* rest;
    })();
    const key = decodeKey(keyBytes);
    try {
      if (fold) {
        let acc = fold(decodeValue(firstValue), decodeValue(second.value));
        for (const v of rest) acc = fold(acc, decodeValue(v));
        emitBytes(keyBytes, encodeValueOf(key, acc));
      } else {
        (combine as CombineValues<Key, unknown>)(
          key,
          decodedValues(all, decodeValue),
          (k, v) => emitBytes(encodeKey(k), encodeValueOf(k, v)),
          ctx,
        );
      }
    } catch (err) {
      throw new UserCodeError('combine', err, `key ${JSON.stringify(key)}`);
    }
  };
}

/**
 * The emit the job's map calls: with a combiner, into an in-map table of `tableBytes` (a
 * fold or an iterable combiner) whose flush feeds `toBuffer`; without one, `toBuffer` itself.
 */
function inMapCombining(
  job: AnyJob,
  ctx: ReturnType<typeof createTaskContext>,
  tableBytes: number,
  toBuffer: (key: Key, value: unknown) => void,
): { emit: (key: Key, value: unknown) => void; inMap: InMapFolder | InMapCombiner | undefined } {
  const combine = job.combine;
  const inMap =
    combine === undefined
      ? undefined
      : isFold(combine)
        ? new InMapFolder(tableBytes, combine, toBuffer)
        : new InMapCombiner(tableBytes, valueCombiner(job, ctx), toBuffer);
  // The in-map tables keep values unencoded: a value MessagePack cannot carry is refused
  // here, at its emit, as the sort buffer's encoding would (numbers and strings skip it).
  const emit = inMap
    ? (key: Key, value: unknown): void => {
        if (typeof value !== 'number' && typeof value !== 'string') checkValue(key, value);
        inMap.add(key, value);
      }
    : toBuffer;
  return { emit, inMap };
}
