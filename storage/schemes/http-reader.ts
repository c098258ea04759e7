/**
 * Positional reads of one http(s) object from streaming GETs: the map task reads a split
 * forward, block after block, so one request from the first position read serves all of
 * them, and the next block is already on its way while the last one is mapped. A read
 * anywhere else starts a new request there.
 */
import type { IncomingMessage } from 'node:http';
import type { RangeReader } from '../storage.js';
import { HTTP_TRIES, httpRequest, HttpInputError, networkError, statusError, withRetries } from './http-request.js';

/** A read this far ahead of the stream skips the bytes in between rather than asking again. */
const SKIP_AHEAD_BYTES = 256 * 1024;

/**
 * `Content-Range: bytes a-b/size` parsed: the first byte, or undefined when the header is
 * missing or not a byte range.
 */
function rangeStart(header: string | undefined): number | undefined {
  const m = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(header?.trim() ?? '');
  return m ? Number(m[1]) : undefined;
}

/**
 * Opens a GET of `url` from byte `position` to its end: with `Range: bytes=position-`,
 * answered by 206 and a Content-Range starting there. A 200 is the whole object, right
 * only from byte 0: later, the server ignored the range, and its bytes are refused rather
 * than read as if they were the ones asked for.
 */
export async function openBody(url: string, position: number, timeoutMs?: number): Promise<IncomingMessage> {
  return withRetries(async () => {
    const { res } = await httpRequest(url, { method: 'GET', headers: { range: `bytes=${position}-` }, timeoutMs });
    const status = res.statusCode ?? 0;
    if (status === 206) {
      const start = rangeStart(res.headers['content-range']);
      if (start === position) return res;
      res.destroy();
      throw new HttpInputError(
        url,
        `asked for bytes from ${position}, the server sent Content-Range ${String(res.headers['content-range'])}`,
        false,
        status,
      );
    }
    if (status === 416) {
      res.resume();
      return res; // at or past the end: no bytes, which the reader reports as the end
    }
    if (status === 200 && position === 0) return res;
    res.resume();
    if (status === 200) {
      throw new HttpInputError(
        url,
        `the server ignored a Range request (HTTP 200 to bytes=${position}-): it cannot be read in pieces`,
        false,
        status,
      );
    }
    throw statusError(url, res);
  });
}

/** Marks an error of opening a request, which was retried already. */
const OPEN_FAILED = Symbol('openFailed');

/** What one reader holds: the open response, where it is in the object, and the chunk it was in the middle of. */
interface Stream {
  readonly res: IncomingMessage;
  readonly chunks: AsyncIterator<Buffer>;
  /** Offset in the object of the next byte `chunks` (after `rest`) gives. */
  position: number;
  rest: Buffer | undefined;
  /** 416: there is nothing at or past this position. */
  readonly empty: boolean;
}

/** The next bytes of the stream, at most `max`; undefined at its end. */
async function next(url: string, s: Stream, max: number): Promise<Buffer | undefined> {
  let chunk = s.rest;
  s.rest = undefined;
  if (chunk === undefined) {
    if (s.empty) return undefined;
    try {
      const r = await s.chunks.next();
      if (r.done === true) return undefined;
      chunk = r.value;
    } catch (err) {
      throw networkError(url, err);
    }
  }
  if (chunk.length > max) {
    s.rest = chunk.subarray(max);
    chunk = chunk.subarray(0, max);
  }
  s.position += chunk.length;
  return chunk;
}

/**
 * A {@link RangeReader} over `url`. A body that breaks off (a reset, a time-out: also a
 * stream left unread past the time limit while the task maps) is asked for again from
 * where the read stopped, up to {@link HTTP_TRIES} times in a row; past that the read
 * fails, the map attempt with it, and the master retries the attempt (counted).
 */
export function openHttpReader(url: string, timeoutMs?: number): RangeReader {
  let stream: Stream | undefined;
  let reopened = 0;
  let closed = false;

  const open = async (position: number): Promise<Stream> => {
    const res = await openBody(url, position, timeoutMs);
    return {
      res,
      chunks: (res as AsyncIterable<Buffer>)[Symbol.asyncIterator](),
      position,
      rest: undefined,
      empty: res.statusCode === 416,
    };
  };
  const drop = (): void => {
    stream?.res.destroy();
    stream = undefined;
  };
  const readAt = async (buf: Buffer, offset: number, length: number, position: number): Promise<number> => {
    if (stream !== undefined && (position < stream.position || position > stream.position + SKIP_AHEAD_BYTES)) drop();
    if (stream === undefined) {
      // Opening retries on its own (withRetries): its failure is final, not one to reopen after.
      try {
        stream = await open(position);
      } catch (err) {
        throw Object.assign(networkError(url, err), { [OPEN_FAILED]: true });
      }
    }
    const s = stream;
    while (s.position < position) if ((await next(url, s, position - s.position)) === undefined) return 0;
    let n = 0;
    while (n < length) {
      const chunk = await next(url, s, length - n);
      if (chunk === undefined) break;
      chunk.copy(buf, offset + n);
      n += chunk.length;
    }
    return n;
  };

  return {
    async read(buf, offset, length, position) {
      if (closed) throw new Error(`read of ${url} after close`);
      if (length === 0) return 0;
      for (;;) {
        try {
          const n = await readAt(buf, offset, length, position);
          reopened = 0;
          return n;
        } catch (err) {
          drop();
          const e = networkError(url, err);
          if (OPEN_FAILED in e) throw e;
          // A partial fill is given up and read again whole from the new request: simpler
          // than keeping it, and a body breaking off is rare.
          if (!e.transient || ++reopened >= HTTP_TRIES) throw e;
        }
      }
    },
    async close() {
      closed = true;
      drop();
    },
  };
}
