/**
 * Baseline: the word count job's own map, combine and reduce, driven serially in one Node
 * process with a Map and no framework. What Groove must beat to be worth its processes.
 *
 *     node dist/bench/baselines/serial-wordcount.js OUT_FILE INPUT...
 */
import * as fs from 'node:fs';
import job from '../../jobs/wordcount.js';
import { isFold } from '../../common/index.js';
import type { JobContext } from '../../sdk/index.js';

/** Values a key collects before the combiner folds them, as a map-side buffer would. */
const COMBINE_AT = 64;

function context(input: string): JobContext {
  return {
    params: {},
    input,
    taskId: 'serial',
    attempt: 0,
    counters: { increment: () => undefined },
    log: { info: () => undefined, warn: () => undefined },
  };
}

function main(out: string, inputs: readonly string[]): void {
  const pending = new Map<string, number[]>();
  let ctx = context('');
  const combine = job.combine;
  // The job's combiner as written: a binary fold keeps one running value per key (as a
  // plain loop would), the iterable form folds a key's list every COMBINE_AT values.
  const emit =
    combine !== undefined && isFold(combine)
      ? (key: string, value: number): void => {
          const list = pending.get(key);
          if (list) list[0] = combine(list[0] as number, value);
          else pending.set(key, [value]);
        }
      : (key: string, value: number): void => {
          const list = pending.get(key);
          if (!list) {
            pending.set(key, [value]);
            return;
          }
          list.push(value);
          if (combine && list.length >= COMBINE_AT) {
            const folded: number[] = [];
            combine(key, list, (_k, v) => folded.push(v), ctx);
            pending.set(key, folded);
          }
        };
  for (const input of inputs) {
    ctx = context(input);
    const lines = fs.readFileSync(input, 'utf8').split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    for (const line of lines) job.map(line, emit, ctx);
  }
  const reduce = job.reduce;
  if (!reduce) throw new Error('wordcount has a reduce');
  const rows: string[] = [];
  for (const key of [...pending.keys()].sort())
    reduce(key, pending.get(key) as number[], (k, v) => rows.push(`${k}\t${v}\n`), ctx);
  fs.writeFileSync(out, rows.join(''));
}

const [out, ...inputs] = process.argv.slice(2);
if (!out || !inputs.length) {
  process.stderr.write('usage: serial-wordcount OUT_FILE INPUT...\n');
  process.exit(2);
}
main(out, inputs);
