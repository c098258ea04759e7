import * as fs from 'node:fs';

/** Appends bytes to a file through one large buffer: generators write tens of millions of small pieces. */
export class BufferedFileWriter {
  private readonly buf: Buffer;
  private used = 0;
  private written = 0;
  private readonly fd: number;

  constructor(file: string, bufferBytes = 8 * 1024 * 1024) {
    this.fd = fs.openSync(file, 'w');
    this.buf = Buffer.allocUnsafe(bufferBytes);
  }

  /** Bytes written so far, buffered ones included. */
  get size(): number {
    return this.written + this.used;
  }

  write(bytes: Uint8Array): void {
    if (this.used + bytes.length > this.buf.length) this.flush();
    if (bytes.length > this.buf.length) {
      fs.writeSync(this.fd, bytes);
      this.written += bytes.length;
      return;
    }
    this.buf.set(bytes, this.used);
    this.used += bytes.length;
  }

  writeByte(byte: number): void {
    if (this.used === this.buf.length) this.flush();
    this.buf[this.used++] = byte;
  }

  close(): void {
    this.flush();
    fs.closeSync(this.fd);
  }

  private flush(): void {
    if (this.used) fs.writeSync(this.fd, this.buf, 0, this.used);
    this.written += this.used;
    this.used = 0;
  }
}
