import { MAX_LENGTH_VARINT_BYTES, readVarint, VARINT_TOO_LONG, varintValue } from './varint.js';

/**
 * Splits a byte stream of framed records (the record-file format: varint key length, key,
 * varint value length, value) arriving in arbitrary chunks, as from a gRPC stream, back
 * into records. Keeps only the unconsumed tail between chunks.
 */
export class RecordStreamDecoder {
  private pending: Buffer = Buffer.alloc(0);

  /** Feeds one chunk; calls onRecord for every record it completes (views valid during the call). */
  push(chunk: Buffer, onRecord: (key: Buffer, value: Buffer) => void): void {
    const buf = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    let pos = 0;
    for (;;) {
      const keyStart = lengthEnd(buf, pos);
      if (keyStart < 0) break;
      const keyEnd = keyStart + varintValue();
      if (keyEnd > buf.length) break;
      const valueStart = lengthEnd(buf, keyEnd);
      if (valueStart < 0) break;
      const valueEnd = valueStart + varintValue();
      if (valueEnd > buf.length) break;
      onRecord(buf.subarray(keyStart, keyEnd), buf.subarray(valueStart, valueEnd));
      pos = valueEnd;
    }
    // Copy the tail so the caller's chunk can be released.
    this.pending = Buffer.from(buf.subarray(pos));
  }

  /** Throws if the stream ended inside a record. */
  end(): void {
    if (this.pending.length)
      throw new RangeError(`record stream ended inside a record (${this.pending.length} bytes left)`);
  }
}

/** Where the length varint at buf[pos] ends (its value in varintValue()); -1 if the buffer ends first. */
function lengthEnd(buf: Buffer, pos: number): number {
  const end = readVarint(buf, pos, buf.length, MAX_LENGTH_VARINT_BYTES);
  if (end === VARINT_TOO_LONG) throw new RangeError('malformed record stream: varint too long');
  return end;
}
