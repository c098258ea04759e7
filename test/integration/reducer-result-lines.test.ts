import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { formatRecord } from '../../proto/formats/index.js';
import { EmbeddedCluster, GrooveClient } from '../../sdk/index.js';
import type { ResultFormat, ResultPart } from '../../sdk/index.js';
import { convertPartFile } from '../../sdk/index.js';
import { writeResults } from '../../sdk/index.js';
import { mulberry32 } from '../helpers/corpus.js';

const FORMATS: readonly ResultFormat[] = ['text', 'jsonl'];

/**
 * Jobs whose part files come from every writer path: copied records (no reduce), a
 * reduce's emit, binary values (which print as long JSON: fewer records for them).
 */
const JOBS = [
  { job: 'test/fixtures/emit-json-pairs.ts', input: 'pairs.jsonl', bigParts: true },
  { job: 'test/fixtures/reduce-json-pairs.ts', input: 'pairs.jsonl', bigParts: true },
  { job: 'test/fixtures/binary-values.ts', input: 'few-pairs.jsonl', bigParts: false },
] as const;

/**
 * JSON `[key, value]` lines of many kinds: strings needing care in text (tab, newline,
 * NUL, astral, a lone surrogate that is not UTF-8 once encoded), numbers, null, booleans,
 * arrays and objects, one value bigger than a part file writer's buffer, and enough
 * records that every part file is written in several flushes.
 */
function pairsInput(file: string, records: number, big: boolean): void {
  const random = mulberry32(5);
  const keys = ['plain', 'tab\tkey', 'new\nline', 'nul\u0000key', 'été', '😀', 7, -2.5, null, true, false, ['a', 1], [null, [2]]];
  const values: unknown[] = ['v', '', 'x\ty\nz', 'naïve 😀', 'lone \ud800 surrogate', 0, 1.25, -1e300, null, true, [1, 'two', null], { a: 'b', n: [1, 2] }];
  const lines: string[] = [];
  for (let i = 0; i < records; i++) {
    const key = random() < 0.5 ? (keys[Math.floor(random() * keys.length)] as unknown) : `k${String(Math.floor(random() * 5000)).padStart(5, '0')}`;
    const value = random() < 0.5 ? values[Math.floor(random() * values.length)] : `value ${i} ${'x'.repeat(Math.floor(random() * 60))}`;
    lines.push(JSON.stringify([key, value]));
  }
  if (big) lines.push(JSON.stringify(['big', 'b'.repeat(1_500_000)]));
  fs.writeFileSync(file, lines.join('\n') + '\n');
}

/** The part's lines as the codecs give them: each record decoded, formatted, UTF-8. */
async function referenceLines(client: GrooveClient, jobId: string, part: ResultPart, format: ResultFormat): Promise<Buffer> {
  const lines: string[] = [];
  for await (const [key, value] of client.readPart(jobId, part)) lines.push(formatRecord(key, value, format) + '\n');
  return Buffer.from(lines.join(''), 'utf8');
}

/** The part files of an output directory (beside them: _SUCCESS). */
function readDir(dir: string): Map<string, Buffer> {
  assert.ok(fs.existsSync(path.join(dir, '_SUCCESS')), `${dir} has no _SUCCESS`);
  return new Map(fs.readdirSync(dir).filter((f) => f.startsWith('part-')).sort().map((f) => [f, fs.readFileSync(path.join(dir, f))]));
}

describe('result lines written by the reducers (SubmitOptions.resultFormat)', () => {
  let dir: string;
  let cluster: EmbeddedCluster;
  let client: GrooveClient;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'groove-result-lines-'));
    pairsInput(path.join(dir, 'pairs.jsonl'), 60_000, true);
    pairsInput(path.join(dir, 'few-pairs.jsonl'), 3000, false);
    cluster = await EmbeddedCluster.start({ slots: 2, dataDir: path.join(dir, 'cluster') });
    client = new GrooveClient({ master: cluster.masterAddress, security: cluster.security, localDataDirs: cluster.localDataDirs });
  });
  after(async () => {
    client.close();
    await cluster.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  for (const { job, input: inputName, bigParts } of JOBS) {
    for (const format of FORMATS) {
      it(`${path.basename(job)}, ${format}: the reducers' lines are the bytes the client-side conversion gives`, async () => {
        const input = path.join(dir, inputName);
        const asked = await client.submit(job, { inputs: [input], resultFormat: format });
        const plain = await client.submit(job, { inputs: [input] });
        await client.wait(asked);
        await client.wait(plain);
        const parts = await client.resultParts(asked);
        assert.ok(parts.length > 0);
        for (const part of parts) {
          const lines = client.localResultLinesPath(asked, part, format);
          assert.ok(lines !== undefined, `partition ${part.partition} has no result lines`);
          const written = fs.readFileSync(lines);
          const partFile = client.localPartPath(asked, part) as string;
          const converted = path.join(dir, `converted-${part.partition}`);
          convertPartFile(partFile, converted, format);
          assert.deepEqual(written, fs.readFileSync(converted), `partition ${part.partition}: reducer vs converter`);
          assert.deepEqual(written, await referenceLines(client, asked, part, format), `partition ${part.partition}: reducer vs codecs`);
          // Only the format asked for is written.
          assert.equal(client.localResultLinesPath(asked, part, format === 'text' ? 'jsonl' : 'text'), undefined);
        }
        for (const part of await client.resultParts(plain)) assert.equal(client.localResultLinesPath(plain, part, format), undefined);
        if (bigParts) assert.ok(parts.some((p) => fs.statSync(client.localPartPath(asked, p) as string).size > 1024 * 1024), 'a part file bigger than the writer buffer');

        // --output: moved lines, converted part files of the job that did not ask, and converted ones again once the lines are gone.
        const moved = path.join(dir, `moved-${format}`);
        const fromPlain = path.join(dir, `plain-${format}`);
        const again = path.join(dir, `again-${format}`);
        await writeResults(client, asked, format, { outputDir: moved, moveLocalLines: true });
        for (const part of parts) assert.equal(client.localResultLinesPath(asked, part, format), undefined, 'moved out');
        await writeResults(client, plain, format, { outputDir: fromPlain });
        await writeResults(client, asked, format, { outputDir: again });
        assert.equal(readDir(moved).size, parts.length);
        assert.deepEqual(readDir(moved), readDir(fromPlain));
        assert.deepEqual(readDir(moved), readDir(again));
        for (const d of [moved, fromPlain, again]) fs.rmSync(d, { recursive: true });
      });
    }
  }

  for (const format of FORMATS) {
    it(`writes the same lines and no part files when asked for lines only (${format})`, async () => {
      const input = path.join(dir, 'pairs.jsonl');
      const job = JOBS[1].job;
      const only = await client.submit(job, { inputs: [input], resultFormat: format, resultLinesOnly: true });
      const both = await client.submit(job, { inputs: [input], resultFormat: format });
      await client.wait(only);
      await client.wait(both);
      const parts = await client.resultParts(only);
      const bothParts = await client.resultParts(both);
      assert.equal(parts.length, bothParts.length);
      for (const [i, part] of parts.entries()) {
        assert.equal(fs.existsSync(client.localPartPath(only, part) as string), false, `partition ${part.partition} has a part file`);
        const lines = client.localResultLinesPath(only, part, format);
        assert.ok(lines !== undefined);
        assert.deepEqual(fs.readFileSync(lines), fs.readFileSync(client.localResultLinesPath(both, bothParts[i] as ResultPart, format) as string));
      }
      const out = path.join(dir, `only-${format}`);
      await writeResults(client, only, format, { outputDir: out, moveLocalLines: true });
      assert.equal(readDir(out).size, parts.length);
      fs.rmSync(out, { recursive: true });
    });
  }

  it('copies the lines into --output and leaves them in place when not asked to move them', async () => {
    const jobId = await client.submit(JOBS[0].job, { inputs: [path.join(dir, 'pairs.jsonl')], resultFormat: 'text' });
    await client.wait(jobId);
    const out = path.join(dir, 'copied');
    await writeResults(client, jobId, 'text', { outputDir: out });
    const [part] = await client.resultParts(jobId);
    const lines = client.localResultLinesPath(jobId, part as ResultPart, 'text');
    assert.ok(lines !== undefined, 'still there');
    assert.deepEqual(fs.readFileSync(path.join(out, 'part-00000')), fs.readFileSync(lines));
  });
});
