import type { Key } from '../../common/index.js';
import { encodeKey, encodePartFileEnd, encodeValueOf } from '../../proto/formats/index.js';
import { RecordFileWriter, ResultLinesWriter } from '../../proto/formats/index.js';
import type { ResultFormat } from '../../proto/formats/index.js';
import { storageFor } from '../../storage/index.js';
import type { StagedObject } from '../../storage/index.js';

/**
 * A part file of a job's results being written by a map-only job's map (docs/map-only.md),
 * as a reduce writes one: records in the order they are written, staged through the storage
 * seam with, for a job with an output store, its result lines converted from the same
 * blocks (one pass), and committed whole only by {@link commit}, so no reader ever sees
 * half of one. The reduce's own writer is in reduce-task.ts.
 */
export class PartFileOutput {
  private records = 0;

  private constructor(
    private readonly staged: StagedObject,
    private readonly writer: RecordFileWriter,
    private readonly linesStaged: StagedObject | undefined,
    private readonly lines: ResultLinesWriter | undefined,
  ) {}

  /** Stages the part file at `url` (and the result lines at `output.url`). */
  static async open(
    url: string,
    output: { readonly url: string; readonly format: ResultFormat } | undefined,
  ): Promise<PartFileOutput> {
    const staged = await storageFor(url).stage(url);
    let linesStaged: StagedObject | undefined;
    let lines: ResultLinesWriter | undefined;
    try {
      if (output) {
        linesStaged = await storageFor(output.url).stage(output.url);
        lines = ResultLinesWriter.create(linesStaged.localPath, output.format);
      }
      const linesOut = lines;
      const writer = RecordFileWriter.create(staged.localPath, linesOut ? { onBytes: (b) => linesOut.push(b) } : {});
      return new PartFileOutput(staged, writer, linesStaged, lines);
    } catch (err) {
      lines?.close();
      await linesStaged?.abort();
      await staged.abort();
      throw err;
    }
  }

  /** Appends a record; a key or value that cannot be stored throws here, where it was emitted. */
  write(key: Key, value: unknown): void {
    this.writer.write(encodeKey(key), encodeValueOf(key, value));
    this.records++;
  }

  /** Ends the file (its end marker makes one cut at a block boundary detectably short) and commits it. */
  async commit(): Promise<{ records: number; bytes: number }> {
    try {
      this.writer.endBlock();
      const { payloadBytes, blocks } = this.writer.records;
      this.writer.writeRaw(encodePartFileEnd(payloadBytes, blocks));
      this.lines?.end();
    } finally {
      this.writer.close();
      this.lines?.close();
    }
    // The lines first: the master promotes them only once the part file is committed too.
    await this.linesStaged?.commit();
    await this.staged.commit();
    return { records: this.records, bytes: this.writer.position };
  }

  /** Drops what was written (the attempt failed). */
  async abort(): Promise<void> {
    this.writer.close();
    this.lines?.close();
    await this.linesStaged?.abort();
    await this.staged.abort();
  }
}
