import { createHash } from 'node:crypto';

/**
 * The largest job pack a master accepts: 32 MiB (the user's code, its dependencies and the
 * data files it imports). The SDK checks it too, so an oversized pack is refused before it
 * is sent, with the files that made it big.
 */
export const MAX_PACK_BYTES = 32 * 1024 * 1024;

/** The format tag written in every pack; a worker refuses packs of another format. */
export const JOB_PACK_FORMAT = 'groove-pack/1';

/**
 * A job pack: the user's job file bundled into one CommonJS script (node built-ins and
 * `groove` left external), plus what it was built from. Content addressed by sha256.
 */
export interface JobPack {
  readonly format: typeof JOB_PACK_FORMAT;
  /** The job's name (defineJob's `name`, else the file's base name). */
  readonly name: string;
  /** The job file as the user named it, for messages. */
  readonly source: string;
  /** The bundled CommonJS code. */
  readonly code: string;
  /**
   * A `totalOrder` job's range split points, chosen at submit from a sample of its map
   * output (sdk/split-sampler.ts): encoded keys (or group prefixes), base64, ascending.
   */
  readonly splits?: readonly string[];
}

/** Serializes a pack; the bytes are what is hashed, stored and shipped. */
export function encodeJobPack(pack: JobPack): Buffer {
  return Buffer.from(JSON.stringify(pack), 'utf8');
}

/** Parses pack bytes, refusing anything that is not a pack of this format. */
export function decodeJobPack(bytes: Uint8Array): JobPack {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (err) {
    throw new RangeError('job pack is not valid JSON', { cause: err });
  }
  const p = parsed as Partial<JobPack> | null;
  if (
    !p ||
    p.format !== JOB_PACK_FORMAT ||
    typeof p.name !== 'string' ||
    typeof p.source !== 'string' ||
    typeof p.code !== 'string'
  ) {
    throw new RangeError(`job pack is not in format ${JOB_PACK_FORMAT}`);
  }
  if (p.splits !== undefined && !(Array.isArray(p.splits) && p.splits.every((x) => typeof x === 'string')))
    throw new RangeError('job pack splits must be a list of base64 strings');
  const base = { format: JOB_PACK_FORMAT, name: p.name, source: p.source, code: p.code } as const;
  return p.splits === undefined ? base : { ...base, splits: p.splits };
}

/** The content address of pack bytes: lowercase hex sha256. */
export function packHash(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Pack hashes are 64 hex digits; anything else in a request is refused. */
export const PACK_HASH_PATTERN = /^[0-9a-f]{64}$/;
