import * as fs from 'node:fs';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import type { Logger } from '../common/index.js';
import { DATA_CHUNK_BYTES, isValidId } from '../proto/index.js';
import type { DataChunk, WorkerHandlers } from '../proto/index.js';
import { isAttemptDirOf, isAttemptFileOf } from './data-layout.js';
import { readMapOutputIndex } from './task-runtime/map-output-buffer.js';

/**
 * The worker's data plane: streams a partition of a map output to a reducer, and a part
 * file to a client reading results. Every path in a request is checked against the data
 * layout, so a request can only ever read task outputs under the data dir.
 */
export function createDataService(dataDir: string, logger: Logger): WorkerHandlers {
  return {
    FetchPartition(call) {
      const { jobId, dir, partition } = call.request;
      if (!isValidId(jobId) || !isAttemptDirOf(jobId, dir)) {
        call.emit('error', invalid(`bad map output reference ${JSON.stringify(dir)}`));
        return;
      }
      let range: { start: number; end: number };
      let file: string;
      try {
        const index = readMapOutputIndex(path.join(dataDir, dir));
        if (!Number.isInteger(partition) || partition < 0 || partition >= index.offsets.length - 1) {
          call.emit('error', invalid(`partition ${partition} out of range`));
          return;
        }
        range = { start: index.offsets[partition] as number, end: index.offsets[partition + 1] as number };
        file = index.dataPath;
      } catch (err) {
        logger.warn('map output not found', { job: jobId, dir, error: (err as Error).message });
        call.emit('error', notFound(`map output ${dir} not found on this worker`));
        return;
      }
      streamFile(call, file, range.start, range.end, logger);
    },
    ReadResult(call) {
      const { jobId, path: rel } = call.request;
      if (!isValidId(jobId) || !isAttemptFileOf(jobId, rel)) {
        call.emit('error', invalid(`bad result reference ${JSON.stringify(rel)}`));
        return;
      }
      const file = path.join(dataDir, rel);
      let size: number;
      try {
        size = fs.statSync(file).size;
      } catch {
        call.emit('error', notFound(`result ${rel} not found on this worker (purged?)`));
        return;
      }
      streamFile(call, file, 0, size, logger);
    },
  };
}

/** Streams [start, end) of a file in chunks, respecting the stream's back-pressure. */
function streamFile(call: grpc.ServerWritableStream<unknown, DataChunk>, file: string, start: number, end: number, logger: Logger): void {
  if (end <= start) {
    call.end();
    return;
  }
  const stream = fs.createReadStream(file, { start, end: end - 1, highWaterMark: DATA_CHUNK_BYTES });
  stream.on('data', (chunk) => {
    if (!call.write({ data: chunk as Buffer })) {
      stream.pause();
      call.once('drain', () => stream.resume());
    }
  });
  stream.on('end', () => call.end());
  stream.on('error', (err) => {
    logger.warn('read failed while streaming', { file, error: err.message });
    call.emit('error', Object.assign(new Error(`read failed: ${err.message}`), { code: grpc.status.INTERNAL }));
  });
  call.on('cancelled', () => stream.destroy());
}

function invalid(message: string): Error {
  return Object.assign(new Error(message), { code: grpc.status.INVALID_ARGUMENT });
}

function notFound(message: string): Error {
  return Object.assign(new Error(message), { code: grpc.status.NOT_FOUND });
}
