import * as fs from 'node:fs';
import * as path from 'node:path';
import type { MasterClient } from '../proto/wire/generated/groove/Master';
import type { PackChunk__Output } from '../proto/wire/generated/groove/PackChunk';
import { PACK_HASH_PATTERN, packHash } from '../proto/formats/index.js';
import { PACKS_DIR } from './data-layout.js';

/**
 * Job packs on this worker, by content hash. Each pack is fetched from the master once,
 * checked against its hash, and kept for every later task of the job; a pool process
 * checks the hash again when it loads the pack (pool-child.ts).
 */
export class PackCache {
  private readonly inflight = new Map<string, Promise<string>>();
  /** Packs known to be on disk, so each is checked once, not per task (remove() takes one out). */
  private readonly present = new Set<string>();
  private readonly dir: string;

  constructor(
    dataDir: string,
    private readonly master: () => MasterClient,
  ) {
    this.dir = path.join(dataDir, PACKS_DIR);
    fs.mkdirSync(this.dir, { recursive: true });
  }

  /** The local path of the pack, fetching it first if needed. */
  ensure(hash: string): Promise<string> {
    if (!PACK_HASH_PATTERN.test(hash)) return Promise.reject(new Error(`bad pack hash ${JSON.stringify(hash)}`));
    const file = path.join(this.dir, `${hash}.pack`);
    if (this.present.has(hash)) return Promise.resolve(file);
    // A pack found on disk (kept from before a restart) is used only if it still has its
    // hash; a damaged one is fetched again.
    if (fs.existsSync(file)) {
      if (hashOfFile(file) === hash) {
        this.present.add(hash);
        return Promise.resolve(file);
      }
      fs.rmSync(file, { force: true });
    }
    let pending = this.inflight.get(hash);
    if (!pending) {
      pending = this.fetch(hash, file).finally(() => this.inflight.delete(hash));
      this.inflight.set(hash, pending);
    }
    return pending;
  }

  /**
   * Deletes a cached pack no job uses any more (the master says so on purge or at
   * registration). A pack being fetched now is left alone: a task is about to use it.
   */
  remove(hash: string): void {
    if (!PACK_HASH_PATTERN.test(hash) || this.inflight.has(hash)) return;
    this.present.delete(hash);
    fs.rmSync(path.join(this.dir, `${hash}.pack`), { force: true });
  }

  /** Deletes every cached pack but those in `keep` (and those being fetched); returns how many went. */
  removeAllBut(keep: ReadonlySet<string>): number {
    let removed = 0;
    for (const name of fs.readdirSync(this.dir)) {
      const hash = name.endsWith('.pack') ? name.slice(0, -'.pack'.length) : '';
      if (!PACK_HASH_PATTERN.test(hash) || keep.has(hash) || this.inflight.has(hash)) continue;
      this.remove(hash);
      removed++;
    }
    return removed;
  }

  private async fetch(hash: string, file: string): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of this.master().getPack({ hash }) as AsyncIterable<PackChunk__Output>)
      chunks.push(chunk.data);
    const bytes = Buffer.concat(chunks);
    const actual = packHash(bytes);
    if (actual !== hash) throw new Error(`pack ${hash} arrived with hash ${actual}`);
    // Write then rename, so a pool process never reads half a pack.
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, bytes);
    fs.renameSync(tmp, file);
    this.present.add(hash);
    return file;
  }
}

/** The content hash of a file's bytes, or undefined when it cannot be read. */
function hashOfFile(file: string): string | undefined {
  try {
    return packHash(fs.readFileSync(file));
  } catch {
    return undefined;
  }
}
