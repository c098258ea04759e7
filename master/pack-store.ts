import * as fs from 'node:fs';
import * as path from 'node:path';
import { MAX_PACK_BYTES, PACK_HASH_PATTERN, decodeJobPack, packHash } from '../proto/formats/index.js';

/** A pack that passed the checks, not stored yet. */
export interface CheckedPack {
  readonly hash: string;
  readonly name: string;
  readonly bytes: Buffer;
}

/**
 * Job packs by content hash, on the master's disk. The master only checks a pack's
 * format and hash; it never runs the code inside. A pack is written only for a job the
 * master accepted, and deleted when the last job using it is purged. Packs survive a
 * restart with the journal that names them: at start, those of the jobs `held` stay (a
 * resumed job's tasks need theirs) and any other a previous run left is deleted.
 */
export class PackStore {
  private readonly dir: string;

  constructor(dataDir: string, held: ReadonlySet<string> = new Set()) {
    this.dir = path.join(dataDir, 'packs');
    fs.mkdirSync(this.dir, { recursive: true });
    for (const name of fs.readdirSync(this.dir)) {
      const hash = name.endsWith('.pack') ? name.slice(0, -'.pack'.length) : '';
      if (!held.has(hash)) fs.rmSync(path.join(this.dir, name), { recursive: true, force: true });
    }
  }

  /** The hashes of the journal's jobs whose pack is missing here (the data dir lost it). */
  missing(held: Iterable<string>): string[] {
    return [...new Set(held)].filter((hash) => !fs.existsSync(this.file(hash)));
  }

  /** Checks pack bytes (size, format); returns their hash and the pack's name. Stores nothing. */
  check(bytes: Buffer): CheckedPack {
    if (bytes.length > MAX_PACK_BYTES)
      throw new RangeError(`job pack is ${bytes.length} bytes; the limit is ${MAX_PACK_BYTES}`);
    const pack = decodeJobPack(bytes);
    return { hash: packHash(bytes), name: pack.name, bytes };
  }

  /** Stores a checked pack (once per hash). */
  keep(pack: CheckedPack): void {
    const file = this.file(pack.hash);
    if (fs.existsSync(file)) return;
    const tmp = `${file}.${process.pid}.tmp`;
    // Durable before the job's submission is (the journal names the pack): fsync, then rename.
    const fd = fs.openSync(tmp, 'w');
    try {
      fs.writeSync(fd, pack.bytes);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
    const dir = fs.openSync(this.dir, 'r');
    try {
      fs.fsyncSync(dir);
    } finally {
      fs.closeSync(dir);
    }
  }

  /** Deletes a stored pack (no job uses it any more). */
  remove(hash: string): void {
    if (PACK_HASH_PATTERN.test(hash)) fs.rmSync(this.file(hash), { force: true });
  }

  /** The bytes of a stored pack, or undefined. */
  get(hash: string): Buffer | undefined {
    if (!PACK_HASH_PATTERN.test(hash)) return undefined;
    try {
      return fs.readFileSync(this.file(hash));
    } catch {
      return undefined;
    }
  }

  private file(hash: string): string {
    return path.join(this.dir, `${hash}.pack`);
  }
}
