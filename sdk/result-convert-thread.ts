import { parentPort } from 'node:worker_threads';
import { BlockChecksumError } from '../proto/formats/index.js';
import { convertPartFile } from './part-file-converter.js';
import type { ConvertReply, ConvertRequest } from './result-converter-pool.js';

/** The entry of a result converter thread: one part file per request, replies in order. */
if (parentPort) {
  const port = parentPort;
  // The pool sends a thread its next request only after this one's reply.
  port.on('message', (request: ConvertRequest) => {
    convertPartFile(request.input, request.output, request.format).then(
      (records) => port.postMessage({ records } satisfies ConvertReply),
      (err: unknown) =>
        port.postMessage({
          error: err instanceof Error ? err.message : String(err),
          corrupt: err instanceof BlockChecksumError,
        } satisfies ConvertReply),
    );
  });
}
