import * as fs from 'node:fs';
import * as path from 'node:path';
import { mulberry32 } from './prng.js';

export { mulberry32 };

const SYLLABLES = ['ka', 'lo', 'mi', 'ne', 'su', 'ta', 'ri', 'po', 've', 'zu', 'é', 'ü', 'ß', '日', '本'];
const EXTRA = ['The', 'the', 'THE', "don't", '--', '.', ',', '(x)', 'a\\b', '"q"', 'ERROR', 'error'];

/**
 * Writes `files` text files of Zipf-distributed words with the awkward parts of real
 * text: tabs, runs of spaces, CRLF, blank lines, non-ASCII words, one file without a
 * final newline and one empty file. Returns their absolute paths.
 */
export function writeCorpus(dir: string, files: number, wordsPerFile: number, seed = 42): string[] {
  const rnd = mulberry32(seed);
  const vocab = new Set<string>();
  while (vocab.size < 3000) {
    let w = '';
    const n = 1 + Math.floor(rnd() * 4);
    for (let i = 0; i < n; i++) w += SYLLABLES[Math.floor(rnd() * SYLLABLES.length)];
    vocab.add(w);
  }
  const words = [...vocab, ...EXTRA];
  // Zipf-like: index = floor(N * u^3) favours the first words heavily.
  const pick = (): string => words[Math.floor(words.length * rnd() ** 3)] as string;
  fs.mkdirSync(dir, { recursive: true });
  const paths: string[] = [];
  for (let f = 0; f < files; f++) {
    const parts: string[] = [];
    for (let i = 0; i < wordsPerFile; i++) {
      parts.push(pick());
      const r = rnd();
      parts.push(r < 0.08 ? '\n' : r < 0.1 ? '\r\n' : r < 0.13 ? '\t' : r < 0.15 ? '   ' : r < 0.16 ? '\n\n' : ' ');
    }
    let text = parts.join('');
    if (f === 1) text = text.trimEnd();
    if (f === 2) text = '';
    const p = path.join(dir, `doc${String(f).padStart(4, '0')}.txt`);
    fs.writeFileSync(p, text);
    paths.push(p);
  }
  return paths;
}
