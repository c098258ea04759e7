import { parentPort } from 'node:worker_threads';
import { BlockChecksumError } from '../proto/formats/index.js';
import { convertPartFile } from './part-file-converter.js';
import type { ConvertReply, ConvertRequest } from './result-converter-pool.js';

/** The entry of a result converter thread: one part file per request, replies in order. */
if (parentPort) {
  const port = parentPort;
  port.on('message', (request: ConvertRequest) => {
    let reply: ConvertReply;
    try {
      reply = { records: convertPartFile(request.input, request.output, request.format) };
    } catch (err) {
      reply = { error: err instanceof Error ? err.message : String(err), corrupt: err instanceof BlockChecksumError };
    }
    port.postMessage(reply);
  });
}
