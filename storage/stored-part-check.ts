import { PartFileVerifier } from '../proto/formats/index.js';
import { storageFor } from './storage-registry.js';

/** Bytes per read when a whole stored part file is verified. */
const VERIFY_READ_BYTES = 1024 * 1024;

/**
 * Reads a whole stored part file (any scheme) and verifies every block and its end marker,
 * before any of it is used: a reader that must not emit a record of a corrupt file checks
 * first. A second read of a file just written mostly comes from the page cache.
 * @throws BlockChecksumError naming the URL and the offset of the damage; the backend's
 *   own errors (ENOENT, ...) as they are.
 */
export async function verifyStoredPart(url: string): Promise<{ blocks: number; payloadBytes: number }> {
  const verifier = new PartFileVerifier(url);
  const reader = await storageFor(url).openReader(url);
  try {
    const block = Buffer.allocUnsafe(VERIFY_READ_BYTES);
    for (let position = 0; ;) {
      const n = await reader.read(block, 0, block.length, position);
      if (n === 0) break;
      position += n;
      verifier.push(block.subarray(0, n));
    }
  } finally {
    await reader.close();
  }
  return verifier.end();
}
