import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Key } from '../common/index.js';
import type { GrooveClient } from './client.js';

/** How results are printed: `KEY<TAB>VALUE` lines, or `[key, value]` JSON lines. */
export type ResultFormat = 'text' | 'jsonl';

/** Strings print raw in text format; everything else as JSON (bigints as their digits). */
function textField(x: unknown): string {
  return typeof x === 'string' ? x : toJson(x);
}

function toJson(x: unknown): string {
  return JSON.stringify(x, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) ?? 'null';
}

/** One result record as one line (without the newline). */
export function formatRecord(key: Key, value: unknown, format: ResultFormat): string {
  return format === 'jsonl' ? toJson([key, value]) : `${textField(key)}\t${textField(value)}`;
}

/** Writes lines to stdout, waiting when the pipe is full so memory stays flat. */
export class LineOutput {
  private buffer: string[] = [];
  private size = 0;

  constructor(private readonly stream: NodeJS.WritableStream = process.stdout) {}

  async line(text: string): Promise<void> {
    this.buffer.push(text);
    this.size += text.length + 1;
    if (this.size >= 64 * 1024) await this.flush();
  }

  async flush(): Promise<void> {
    if (!this.buffer.length) return;
    const chunk = this.buffer.join('\n') + '\n';
    this.buffer = [];
    this.size = 0;
    if (!this.stream.write(chunk)) await new Promise<void>((resolve) => this.stream.once('drain', () => resolve()));
  }
}

/** Prints a job's results to stdout, or into `dir/part-NNNNN` files (one per partition, empty ones too). */
export async function writeResults(client: GrooveClient, jobId: string, format: ResultFormat, outputDir?: string): Promise<number> {
  let count = 0;
  const parts = await client.resultParts(jobId);
  if (!outputDir) {
    const out = new LineOutput();
    for (const part of parts) {
      for await (const [k, v] of client.readPart(jobId, part)) {
        await out.line(formatRecord(k, v, format));
        count++;
      }
    }
    await out.flush();
    return count;
  }
  fs.mkdirSync(outputDir, { recursive: true });
  for (const part of parts) {
    const file = path.join(outputDir, `part-${String(part.partition).padStart(5, '0')}`);
    const fd = fs.openSync(file, 'w');
    try {
      let pending: string[] = [];
      for await (const [k, v] of client.readPart(jobId, part)) {
        pending.push(formatRecord(k, v, format));
        count++;
        if (pending.length >= 4096) {
          fs.writeSync(fd, pending.join('\n') + '\n');
          pending = [];
        }
      }
      if (pending.length) fs.writeSync(fd, pending.join('\n') + '\n');
    } finally {
      fs.closeSync(fd);
    }
  }
  return count;
}
