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
import { partFiles } from '../helpers/part-files.js';

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
  const keys = [
    'plain',
    'tab\tkey',
    'new\nline',
    'nul\u0000key',
    'été',
    '😀',
    7,
    -2.5,
    null,
    true,
    false,
    ['a', 1],
    [null, [2]],
  ];
  const values: unknown[] = [
    'v',
    '',
    'x\ty\nz',
    'naïve 😀',
    'lone \ud800 surrogate',
    0,
    1.25,
    -1e300,
    null,
    true,
    [1, 'two', null],
    { a: 'b', n: [1, 2] },
  ];
  const lines: string[] = [];
  for (let i = 0; i < records; i++) {
    const key =
      random() < 0.5
        ? (keys[Math.floor(random() * keys.length)] as unknown)
        : `k${String(Math.floor(random() * 5000)).padStart(5, '0')}`;
    const value =
      random() < 0.5
        ? values[Math.floor(random() * values.length)]
        : `value ${i} ${'x'.repeat(Math.floor(random() * 60))}`;
    lines.push(JSON.stringify([key, value]));
  }
  if (big) lines.push(JSON.stringify(['big', 'b'.repeat(1_500_000)]));
  fs.writeFileSync(file, lines.join('\n') + '\n');
}

/** The part's lines as the codecs give them: each record decoded, formatted, UTF-8. */
async function referenceLines(
  client: GrooveClient,
  jobId: string,
  part: ResultPart,
  format: ResultFormat,
): Promise<Buffer> {
  const lines: string[] = [];
  for await (const [key, value] of client.readPart(jobId, part)) lines.push(formatRecord(key, value, format) + '\n');
  return Buffer.from(lines.join(''), 'utf8');
}

/** The part files of an output directory (beside them: _SUCCESS). */
function readDir(dir: string): Map<string, Buffer> {
  assert.ok(fs.existsSync(path.join(dir, '_SUCCESS')), `${dir} has no _SUCCESS`);
  return new Map(partFiles(dir).map((f) => [path.basename(f), fs.readFileSync(f)]));
}

describe('one result path: the reducers write part files, every reader converts those', () => {
  let dir: string;
  let cluster: EmbeddedCluster;
  let client: GrooveClient;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'groove-result-path-'));
    pairsInput(path.join(dir, 'pairs.jsonl'), 60_000, true);
    pairsInput(path.join(dir, 'few-pairs.jsonl'), 3000, false);
    cluster = await EmbeddedCluster.start({ slots: 2, dataDir: path.join(dir, 'cluster') });
    client = new GrooveClient({
      master: cluster.masterAddress,
      security: cluster.security,
      localDataDirs: cluster.localDataDirs,
    });
  });
  after(async () => {
    client.close();
    await cluster.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  for (const { job, input: inputName, bigParts } of JOBS) {
    it(`${path.basename(job)}: one part file per partition and nothing beside it; --output and the converter give the codecs' bytes`, async () => {
      const jobId = await client.submit(job, { inputs: [path.join(dir, inputName)] });
      await client.wait(jobId);
      const parts = await client.resultParts(jobId);
      assert.ok(parts.length > 0);
      for (const part of parts) {
        const partFile = client.localPartPath(jobId, part) as string;
        // Written once, in one place: no result lines, no staging file left behind.
        assert.deepEqual(
          fs.readdirSync(path.dirname(partFile)),
          [path.basename(partFile)],
          `partition ${part.partition}`,
        );
      }
      if (bigParts)
        assert.ok(
          parts.some((p) => fs.statSync(client.localPartPath(jobId, p) as string).size > 1024 * 1024),
          'a part file bigger than the writer buffer',
        );
      for (const format of FORMATS) {
        const out = path.join(dir, `out-${format}`);
        // Several local parts: converted on threads, as mr run --output does.
        await writeResults(client, jobId, format, { outputDir: out });
        const written = readDir(out);
        assert.equal(written.size, parts.length);
        for (const part of parts) {
          const expected = await referenceLines(client, jobId, part, format);
          const name = `part-${String(part.partition).padStart(5, '0')}`;
          assert.deepEqual(written.get(name), expected, `${format}, partition ${part.partition}: --output vs codecs`);
          const converted = path.join(dir, `converted-${part.partition}`);
          await convertPartFile(client.localPartPath(jobId, part) as string, converted, format);
          assert.deepEqual(
            fs.readFileSync(converted),
            expected,
            `${format}, partition ${part.partition}: converter vs codecs`,
          );
        }
        fs.rmSync(out, { recursive: true });
      }
    });
  }
});
