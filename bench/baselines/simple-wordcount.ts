/**
 * Baseline: the word count a Node user writes without a framework. Reads each input in
 * 4 MiB blocks (so any size works: no whole file in one string), carries the partial last
 * line of a block to the next, finds the tokens of a block's text with one regex (runs of
 * anything but ASCII whitespace: the job's tokens), counts them in a Map and prints
 * `word\tcount` lines sorted by word.
 *
 *     node dist/bench/baselines/simple-wordcount.js OUT_FILE INPUT...
 */
import * as fs from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

const BLOCK = 4 * 1024 * 1024;
const TOKEN = /[^ \t\n\r\v\f]+/g;

function count(text: string, counts: Map<string, number>): void {
  for (const m of text.matchAll(TOKEN)) {
    const w = m[0];
    counts.set(w, (counts.get(w) ?? 0) + 1);
  }
}

function main(out: string, inputs: readonly string[]): void {
  const counts = new Map<string, number>();
  const block = Buffer.allocUnsafe(BLOCK);
  for (const input of inputs) {
    const fd = fs.openSync(input, 'r');
    const decoder = new StringDecoder('utf8');
    let carry = '';
    for (let n; (n = fs.readSync(fd, block, 0, BLOCK, null)) > 0;) {
      const text = carry + decoder.write(block.subarray(0, n));
      const cut = text.lastIndexOf('\n') + 1;
      count(text.slice(0, cut), counts);
      carry = text.slice(cut);
    }
    fs.closeSync(fd);
    count(carry + decoder.end(), counts);
  }
  const rows: string[] = [];
  for (const w of [...counts.keys()].sort()) rows.push(`${w}\t${counts.get(w) as number}\n`);
  fs.writeFileSync(out, rows.join(''));
}

const [out, ...inputs] = process.argv.slice(2);
if (!out || !inputs.length) {
  process.stderr.write('usage: simple-wordcount OUT_FILE INPUT...\n');
  process.exit(2);
}
main(out, inputs);
