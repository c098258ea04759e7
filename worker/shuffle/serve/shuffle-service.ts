import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as grpc from '@grpc/grpc-js';
import { NotFoundError, RequestRejectedError } from '../../../common/index.js';
import type { Logger } from '../../../common/index.js';
import { BlockChecksumError } from '../../../proto/formats/index.js';
import { storageFor, verifyStoredPart } from '../../../storage/index.js';
import type { RangeReader } from '../../../storage/index.js';
import { DATA_CHUNK_BYTES, grpcLib, toServiceError } from '../../../proto/wire/index.js';
import { isValidId } from '../../../proto/formats/index.js';
import type { DataChunk } from '../../../proto/wire/generated/groove/DataChunk';
import type { FetchPartitionRequest__Output } from '../../../proto/wire/generated/groove/FetchPartitionRequest';
import type { WorkerHandlers } from '../../../proto/wire/generated/groove/Worker';
import type { BulkServer } from './bulk-server.js';
import { isAttemptDirOf, isAttemptFileOf } from '../../data-layout.js';
import { DATA_CHUNK_HEADER_ROOM, encodeDataChunkInPlace } from '../../../proto/wire/index.js';
import { readMapOutputIndex } from '../../../proto/formats/index.js';

/** The Worker service's methods of the shuffle (the task logs are served beside them: worker/task-log-service.ts). */
export type ShuffleHandlers = Pick<WorkerHandlers, 'OpenFetch' | 'FetchPartition' | 'ReadResult' | 'OpenResultRead'>;

/**
 * The worker's shuffle service: hands reducers' daemons tickets to collect partitions of map
 * outputs from the bulk port (or streams them over gRPC), and streams part files to clients
 * reading results. grpc-js is loaded on first use (grpcLib): pool processes import this
 * folder for its fetch end and must never load it. Every path in a request is checked against the data layout, so a
 * request can only ever read task outputs under the data dir.
 */
export function createShuffleService(dataDir: string, logger: Logger, bulk?: BulkServer): ShuffleHandlers {
  /** The file and byte range of a requested partition, or the error to answer with. */
  const locate = (request: FetchPartitionRequest__Output): { file: string; start: number; end: number } | Error => {
    const { jobId, dir, partition } = request;
    if (!isValidId(jobId) || !isAttemptDirOf(jobId, dir))
      return invalid(`bad map output reference ${JSON.stringify(dir)}`);
    try {
      const index = readMapOutputIndex(path.join(dataDir, dir));
      if (!Number.isInteger(partition) || partition < 0 || partition >= index.offsets.length - 1)
        return invalid(`partition ${partition} out of range`);
      return {
        file: index.dataPath,
        start: index.offsets[partition] as number,
        end: index.offsets[partition + 1] as number,
      };
    } catch (err) {
      logger.warn('map output not found', { job: jobId, dir, error: (err as Error).message });
      return notFound(`map output ${dir} not found on this worker`);
    }
  };
  return {
    OpenFetch(call, callback) {
      if (!bulk) {
        callback(Object.assign(new Error('this worker has no bulk port'), { code: grpcLib().status.UNIMPLEMENTED }));
        return;
      }
      const range = locate(call.request);
      if (range instanceof Error) {
        callback(range);
        return;
      }
      const length = range.end - range.start;
      if (length <= 0) {
        callback(null, { port: bulk.port, ticket: Buffer.alloc(0), length: 0 });
        return;
      }
      try {
        callback(null, { port: bulk.port, ticket: bulk.issue(range.file, range.start, range.end), length });
      } catch (err) {
        callback(Object.assign(new Error((err as Error).message), { code: grpcLib().status.RESOURCE_EXHAUSTED }));
      }
    },
    FetchPartition(call) {
      const range = locate(call.request);
      if (range instanceof Error) {
        call.emit('error', range);
        return;
      }
      streamFile(call, range.file, range.start, range.end, logger);
    },
    OpenResultRead: openResultRead(dataDir, bulk),
    ReadResult(call) {
      const { jobId, path: rel } = call.request;
      if (!isValidId(jobId) || !isAttemptFileOf(jobId, rel)) {
        call.emit('error', invalid(`bad result reference ${JSON.stringify(rel)}`));
        return;
      }
      // Results are read back through the storage seam, where the reducer wrote them.
      const file = path.join(dataDir, rel);
      const storage = storageFor(file);
      // The whole file is checked before its first byte goes, so a reader never prints a
      // record of a corrupt part file; the reader checks the blocks again as they arrive.
      storage.stat(file).then(
        ({ size }) =>
          verifyStoredPart(file).then(
            () => streamFile(call, file, 0, size, logger, (f) => storage.openReader(f)),
            (err: unknown) => {
              const corrupt = err instanceof BlockChecksumError;
              logger.warn(corrupt ? 'corrupt part file' : 'part file unreadable', {
                job: jobId,
                file,
                error: (err as Error).message,
              });
              const message = corrupt
                ? `part file ${rel} is corrupt on this worker: ${err.reason} at offset ${err.offset}`
                : `cannot read result ${rel}: ${(err as Error).message}`;
              call.emit('error', toServiceError(err, message));
            },
          ),
        () => call.emit('error', notFound(`result ${rel} not found on this worker (purged?)`)),
      );
    },
  };
}

/**
 * OpenResultRead: a ticket to collect a whole part file from the bulk port (a chained
 * job's map reading an earlier job's results held here). The reader checks every block and
 * the end marker as it reads, so the file is not verified here first.
 */
function openResultRead(dataDir: string, bulk: BulkServer | undefined): WorkerHandlers['OpenResultRead'] {
  return (call, callback) => {
    if (!bulk) {
      callback(Object.assign(new Error('this worker has no bulk port'), { code: grpcLib().status.UNIMPLEMENTED }));
      return;
    }
    const { jobId, path: rel } = call.request;
    if (!isValidId(jobId) || !isAttemptFileOf(jobId, rel)) {
      callback(invalid(`bad result reference ${JSON.stringify(rel)}`));
      return;
    }
    const file = path.join(dataDir, rel);
    fs.promises.stat(file).then(
      ({ size }) => {
        try {
          const ticket = size > 0 ? bulk.issue(file, 0, size) : Buffer.alloc(0);
          callback(null, { port: bulk.port, ticket, length: size });
        } catch (err) {
          callback(Object.assign(new Error((err as Error).message), { code: grpcLib().status.RESOURCE_EXHAUSTED }));
        }
      },
      () => callback(notFound(`result ${rel} not found on this worker (purged?)`)),
    );
  };
}

/** Read buffers per stream: one being filled while the others wait to be framed and sent. */
const READ_BUFFERS = 3;

/**
 * Streams [start, end) of a file in chunks. Each chunk is read into one of a few reused
 * buffers, already encoded as a DataChunk (see encoded-data-chunk.ts); a buffer is read
 * into again only once gRPC has taken the chunk (its write callback), which also bounds
 * what one stream holds to READ_BUFFERS chunks.
 */
function streamFile(
  call: grpc.ServerWritableStream<unknown, DataChunk>,
  file: string,
  start: number,
  end: number,
  logger: Logger,
  open: (file: string) => Promise<RangeReader> = openLocal,
): void {
  if (end <= start) {
    call.end();
    return;
  }
  let cancelled = false;
  // Resolves the pump's wait for a free buffer; also woken by a cancel, after which gRPC
  // calls no more write callbacks.
  let wake: (() => void) | undefined;
  call.on('cancelled', () => {
    cancelled = true;
    wake?.();
  });
  const pump = async (): Promise<void> => {
    const handle = await open(file);
    try {
      const chunkBytes = Math.min(DATA_CHUNK_BYTES, end - start);
      const free: Buffer[] = Array.from({ length: Math.min(READ_BUFFERS, Math.ceil((end - start) / chunkBytes)) }, () =>
        Buffer.allocUnsafeSlow(DATA_CHUNK_HEADER_ROOM + chunkBytes),
      );
      let pos = start;
      while (pos < end && !cancelled) {
        if (!free.length) {
          await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
          continue;
        }
        const buf = free.pop() as Buffer;
        const bytesRead = await handle.read(buf, DATA_CHUNK_HEADER_ROOM, Math.min(chunkBytes, end - pos), pos);
        if (bytesRead === 0) throw new Error(`${file} ends at ${pos}, before ${end}`);
        if (cancelled) break;
        pos += bytesRead;
        call.write(encodeDataChunkInPlace(buf, DATA_CHUNK_HEADER_ROOM, bytesRead) as unknown as DataChunk, () => {
          free.push(buf);
          wake?.();
        });
      }
    } finally {
      await handle.close();
    }
    if (!cancelled) call.end();
  };
  pump().catch((err: unknown) => {
    const message = (err as Error).message;
    logger.warn('read failed while streaming', { file, error: message });
    if (!cancelled)
      call.emit('error', Object.assign(new Error(`read failed: ${message}`), { code: grpcLib().status.INTERNAL }));
  });
}

/** A map output (local scratch, not storage) opened for positional reads. */
async function openLocal(file: string): Promise<RangeReader> {
  const handle = await fs.promises.open(file, 'r');
  return {
    read: async (buf, offset, length, position) => (await handle.read(buf, offset, length, position)).bytesRead,
    close: () => handle.close(),
  };
}

function invalid(message: string): Error {
  return toServiceError(new RequestRejectedError(message));
}

function notFound(message: string): Error {
  return toServiceError(new NotFoundError(message));
}
