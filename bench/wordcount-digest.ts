import { createHash } from 'node:crypto';
import * as fs from 'node:fs';

/** A word count's result reduced to what must agree between implementations. */
export interface CountDigest {
  readonly distinct: number;
  readonly total: number;
  /** sha256 of the sorted `word\tcount` lines. */
  readonly sha256: string;
}

/** The output formats of the implementations compared. */
export type CountFormat = 'tab' | 'python' | 'uniq';

function parseLine(line: string, format: CountFormat): [string, number] {
  if (format === 'tab') {
    const i = line.lastIndexOf('\t');
    return [line.slice(0, i), Number(line.slice(i + 1))];
  }
  if (format === 'python') {
    const i = line.lastIndexOf(': ');
    return [line.slice(0, i), Number(line.slice(i + 2))];
  }
  const trimmed = line.trimStart();
  const i = trimmed.indexOf(' ');
  return [trimmed.slice(i + 1), Number(trimmed.slice(0, i))];
}

/** Digests a `word COUNT` file of one of the formats, so outputs of different tools can be compared. */
export function countDigest(file: string, format: CountFormat): CountDigest {
  const counts = new Map<string, number>();
  let total = 0;
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!line) continue;
    const [word, n] = parseLine(line, format);
    // Python's line.split(" ") gives an empty line one empty "word": not a word to compare.
    if (word === '' && format === 'python') continue;
    if (!Number.isFinite(n)) throw new Error(`${file}: not a count line: ${JSON.stringify(line.slice(0, 80))}`);
    counts.set(word, (counts.get(word) ?? 0) + n);
    total += n;
  }
  const hash = createHash('sha256');
  for (const word of [...counts.keys()].sort()) hash.update(`${word}\t${counts.get(word) as number}\n`);
  return { distinct: counts.size, total, sha256: hash.digest('hex') };
}

/** Throws unless two digests agree, naming both sides. */
export function assertSameCounts(
  expected: CountDigest,
  expectedName: string,
  actual: CountDigest,
  actualName: string,
): void {
  if (expected.sha256 !== actual.sha256) {
    throw new Error(
      `${actualName} disagrees with ${expectedName}: ${actual.distinct} words / ${actual.total} tokens vs ${expected.distinct} / ${expected.total}`,
    );
  }
}
