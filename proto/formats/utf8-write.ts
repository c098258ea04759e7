/**
 * Node's own UTF-8 writer of a Buffer, which `buf.write(s, offset, length, 'utf8')` calls
 * after normalising its arguments: for the short strings of keys and values that
 * normalising cost more than the write itself. msgpackr calls it the same way.
 */
interface Utf8WritableBuffer extends Buffer {
  utf8Write(value: string, offset: number, length: number): number;
}

const hasUtf8Write = typeof (Buffer.prototype as Partial<Utf8WritableBuffer>).utf8Write === 'function';

/** Writes `value` as UTF-8 into buf[offset, offset + length); returns the bytes written. */
export function writeUtf8(buf: Buffer, value: string, offset: number, length: number): number {
  return hasUtf8Write
    ? (buf as Utf8WritableBuffer).utf8Write(value, offset, length)
    : buf.write(value, offset, length, 'utf8');
}
