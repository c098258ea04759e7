import * as fs from 'node:fs';
import * as path from 'node:path';
import { PACK_HASH_PATTERN, decodeJobPack, packHash } from '../proto/index.js';

/** The largest job pack the master accepts: 32 MiB (a bundle of the user's code and its dependencies). */
export const MAX_PACK_BYTES = 32 * 1024 * 1024;

/**
 * Job packs by content hash, on the master's disk. The master only checks a pack's
 * format and hash; it never runs the code inside.
 */
export class PackStore {
  private readonly dir: string;

  constructor(dataDir: string) {
    this.dir = path.join(dataDir, 'packs');
    fs.mkdirSync(this.dir, { recursive: true });
  }

  /** Stores pack bytes; returns their hash and the pack's name. */
  put(bytes: Buffer): { hash: string; name: string } {
    if (bytes.length > MAX_PACK_BYTES) throw new RangeError(`job pack is ${bytes.length} bytes; the limit is ${MAX_PACK_BYTES}`);
    const pack = decodeJobPack(bytes);
    const hash = packHash(bytes);
    const file = path.join(this.dir, `${hash}.pack`);
    if (!fs.existsSync(file)) {
      const tmp = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, bytes);
      fs.renameSync(tmp, file);
    }
    return { hash, name: pack.name };
  }

  /** The bytes of a stored pack, or undefined. */
  get(hash: string): Buffer | undefined {
    if (!PACK_HASH_PATTERN.test(hash)) return undefined;
    try {
      return fs.readFileSync(path.join(this.dir, `${hash}.pack`));
    } catch {
      return undefined;
    }
  }
}
