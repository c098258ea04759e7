import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { defineJob, EmbeddedCluster, GrooveClient } from '../../sdk/index.js';
import type { JobId, Key, ResultOf } from '../../sdk/index.js';
import type wordcount from '../../jobs/wordcount.js';
import type * as wordcountModule from '../../jobs/wordcount.js';
import { writeCorpus } from '../helpers/corpus.js';
import { referenceWordCount } from '../helpers/reference.js';

/** True when A and B are the same type (not merely assignable: `any` is neither). */
type Equal<A, B> = (<G>() => G extends A ? 1 : 2) extends <G>() => G extends B ? 1 : 2 ? true : false;
/** Compiles only when its argument is `true`: a type assertion checked by `npm run build`. */
function assertType<T extends true>(): T | undefined {
  return undefined;
}

// A job whose reduce emits other types than its map: [number, string[]] results.
const _lengths = defineJob<string, string, number, string[]>({
  map(line, emit) {
    for (const w of line.split(' ')) if (w) emit(w, w);
  },
  reduce(word, values, emit) {
    emit(word.length, [...values]);
  },
});
// A job without reduce: its map's types.
const _mapOnly = defineJob<[string, number], boolean>({
  map(line, emit) {
    emit([line, line.length], true);
  },
});

// The type-level part: this file does not compile if the typing regresses.
assertType<Equal<ResultOf<typeof wordcount>, [key: string, value: number]>>();
assertType<Equal<ResultOf<typeof wordcountModule>, [key: string, value: number]>>();
assertType<Equal<ResultOf<typeof _lengths>, [key: number, value: string[]]>>();
assertType<Equal<ResultOf<typeof _mapOnly>, [key: [string, number], value: boolean]>>();
assertType<Equal<ResultOf<object>, [key: Key, value: unknown]>>();
// @ts-expect-error wordcount's values are numbers, not strings
assertType<Equal<ResultOf<typeof wordcount>, [key: string, value: string]>>();

/** What `results` yields for an id of type `I`, as the compiler sees it. */
type Yielded<I extends string> = I extends JobId<infer J> ? ResultOf<J> : never;
assertType<Equal<Yielded<JobId<typeof _lengths>>, [key: number, value: string[]]>>();

describe('typed results in the SDK', () => {
  let dir: string;
  let files: string[];
  let cluster: EmbeddedCluster;
  let client: GrooveClient;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'groove-typed-results-'));
    files = writeCorpus(path.join(dir, 'corpus'), 3, 2000, 5);
    cluster = await EmbeddedCluster.start({ slots: 2, dataDir: path.join(dir, 'cluster') });
    client = new GrooveClient({ master: cluster.masterAddress, security: cluster.security });
  });
  after(async () => {
    client.close();
    await cluster.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('submit<typeof job> gives an id whose results are [RK, RV]: typed at compile time, right at run time', async () => {
    const id = await client.submit<typeof wordcount>('jobs/wordcount.ts', { inputs: files });
    assert.equal(typeof id, 'string'); // a plain string at run time
    await client.wait(id);
    const counts = new Map<string, number>();
    for await (const [word, count] of client.results(id)) {
      // Typed: string methods on the key and arithmetic on the value compile without casts.
      const upper: string = word.toUpperCase();
      const n: number = count + 0;
      // @ts-expect-error the key is a string, so it is not a number
      const wrong: number = word;
      assert.equal(typeof wrong, 'string');
      assert.equal(upper, word.toUpperCase());
      counts.set(word, n);
    }
    assert.deepEqual(counts, referenceWordCount(files));
  });

  it('results<typeof job>(id) types the records of an id given as a plain string', async () => {
    const id: string = await client.submit('jobs/wordcount.ts', { inputs: files });
    await client.wait(id);
    let total = 0;
    for await (const [, count] of client.results<typeof wordcountModule>(id)) total += count;
    for await (const record of client.results(id)) {
      // Untyped: the value is unknown, so arithmetic on it does not compile.
      // @ts-expect-error an untyped result's value is unknown
      const n: number = record[1];
      assert.equal(typeof n, 'number');
    }
    let expected = 0;
    for (const n of referenceWordCount(files).values()) expected += n;
    assert.equal(total, expected);
  });
});
