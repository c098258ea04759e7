import * as fs from 'node:fs';

/**
 * Reference answers computed without any Groove code, by plain loops over whole files,
 * so a bug in the engine's readers, codecs or merge cannot hide in both sides.
 */

const isSpace = (c: string): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\v' || c === '\f';

/** Tokens between ASCII whitespace, by a character loop. */
function tokens(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (const c of text) {
    if (isSpace(c)) {
      if (cur) out.push(cur);
      cur = '';
    } else cur += c;
  }
  if (cur) out.push(cur);
  return out;
}

/** word -> count over all files. */
export function referenceWordCount(files: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const f of files) for (const w of tokens(fs.readFileSync(f, 'utf8'))) counts.set(w, (counts.get(w) ?? 0) + 1);
  return counts;
}

/** The lines of a file: split on LF, one trailing CR dropped, no empty record after a final LF. */
function lines(text: string): string[] {
  if (text === '') return [];
  const parts = text.split('\n');
  if (text.endsWith('\n')) parts.pop();
  return parts.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
}

/** JSON of [input, line] -> count, for lines matching `re`. */
export function referenceGrep(files: readonly string[], re: RegExp): Map<string, number> {
  const out = new Map<string, number>();
  for (const f of files) {
    for (const l of lines(fs.readFileSync(f, 'utf8'))) {
      if (re.test(l)) {
        const k = JSON.stringify([f, l]);
        out.set(k, (out.get(k) ?? 0) + 1);
      }
    }
  }
  return out;
}

/** word -> sorted distinct files it occurs in. */
export function referenceInvertedIndex(files: readonly string[]): Map<string, string[]> {
  const index = new Map<string, Set<string>>();
  for (const f of files) {
    for (const w of tokens(fs.readFileSync(f, 'utf8'))) {
      let s = index.get(w);
      if (!s) index.set(w, (s = new Set()));
      s.add(f);
    }
  }
  return new Map([...index].map(([w, s]) => [w, [...s].sort()]));
}

/** Parses `mr results --format jsonl` output into a map of JSON(key) -> value. */
export function parseJsonl(stdout: string): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const line of stdout.split('\n')) {
    if (!line) continue;
    const [k, v] = JSON.parse(line) as [unknown, unknown];
    const key = typeof k === 'string' ? k : JSON.stringify(k);
    if (out.has(key)) throw new Error(`duplicate key in results: ${key}`);
    out.set(key, v);
  }
  return out;
}
