import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { decodeKey } from '../../proto/formats/index.js';
import { packJobFile, SAMPLE_LIMITS, sampleKeys } from '../../sdk/index.js';
import { ROOT } from '../helpers/cli.js';
import type { AnyJob } from '../../worker/index.js';

describe('the totalOrder sampler', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'groove-sampler-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('samples keys from all over a file, within its bounds', async () => {
    // Sorted lines, so where a sampled key comes from is its number.
    const lines = 400_000;
    const file = path.join(dir, 'sorted.txt');
    fs.writeFileSync(
      file,
      Array.from({ length: lines }, (_, i) => String(i).padStart(10, '0') + 'x'.repeat(20)).join('\n'),
    );
    const job = (await packJobFile(path.join(ROOT, 'jobs', 'sort.ts'))).job as AnyJob;
    const keys = (await sampleKeys(job, [file], {})).map((k) => Number(decodeKey(k)));
    assert.ok(keys.length > 1000 && keys.length <= SAMPLE_LIMITS.records + SAMPLE_LIMITS.pieces, `${keys.length} keys`);
    // Each place gives at most its share, rounded up; every tenth of the file gave keys.
    const tenths = new Set(keys.map((k) => Math.floor((k * 10) / lines)));
    assert.deepEqual([...tenths].sort(), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('spreads over the files of a directory when there are more than places', async () => {
    const sub = path.join(dir, 'many');
    fs.mkdirSync(sub);
    const files = 300;
    for (let f = 0; f < files; f++)
      fs.writeFileSync(path.join(sub, `f${String(f).padStart(3, '0')}.txt`), `${String(f).padStart(10, '0')}\n`);
    fs.writeFileSync(path.join(sub, '_SUCCESS'), 'not an input\n');
    const job = (await packJobFile(path.join(ROOT, 'jobs', 'sort.ts'))).job as AnyJob;
    const keys = (await sampleKeys(job, [sub], {})).map((k) => decodeKey(k) as string);
    assert.equal(keys.length, SAMPLE_LIMITS.pieces);
    const numbers = keys.map(Number).sort((a, b) => a - b);
    assert.ok((numbers[0] as number) < 10 && (numbers[numbers.length - 1] as number) > files - 10);
    assert.ok(!keys.includes('not an inp'));
  });
});
