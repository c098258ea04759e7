import * as fs from 'node:fs';
import * as path from 'node:path';
import { PACK_HASH_PATTERN, decodeJobPack, packHash } from '../proto/formats/index.js';

/** The largest job pack the master accepts: 32 MiB (a bundle of the user's code and its dependencies). */
export const MAX_PACK_BYTES = 32 * 1024 * 1024;

/** A pack that passed the checks, not stored yet. */
export interface CheckedPack {
  readonly hash: string;
  readonly name: string;
  readonly bytes: Buffer;
}

/**
 * Job packs by content hash, on the master's disk. The master only checks a pack's
 * format and hash; it never runs the code inside. A pack is written only for a job the
 * master accepted, and deleted when the last job using it is purged; the master keeps
 * no jobs across restarts, so the packs a previous run left are deleted at start.
 */
export class PackStore {
  private readonly dir: string;

  constructor(dataDir: string) {
    this.dir = path.join(dataDir, 'packs');
    fs.rmSync(this.dir, { recursive: true, force: true });
    fs.mkdirSync(this.dir, { recursive: true });
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
    fs.writeFileSync(tmp, pack.bytes);
    fs.renameSync(tmp, file);
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
