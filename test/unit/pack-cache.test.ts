import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { encodeJobPack, packHash } from '../../proto/formats/index.js';
import type { MasterClient } from '../../proto/wire/generated/groove/Master';
import { PACKS_DIR } from '../../worker/index.js';
import { PackCache } from '../../worker/index.js';

test("a pack damaged on the worker's disk is not used: it is fetched again and checked", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'groove-pack-cache-'));
  try {
    const bytes = encodeJobPack({ format: 'groove-pack/1', name: 'j', source: 'j.ts', code: 'module.exports = {};' });
    const hash = packHash(bytes);
    let fetches = 0;
    // The master's side of GetPack: the one call PackCache makes.
    const master = {
      getPack: () => {
        fetches++;
        return (async function* () {
          yield { data: bytes };
        })();
      },
    } as unknown as MasterClient;
    fs.mkdirSync(path.join(dir, PACKS_DIR), { recursive: true });
    const file = path.join(dir, PACKS_DIR, `${hash}.pack`);
    const damaged = Buffer.from(bytes);
    damaged[10] = (damaged[10] as number) ^ 1;
    fs.writeFileSync(file, damaged);
    const cache = new PackCache(dir, () => master);
    assert.equal(await cache.ensure(hash), file);
    assert.equal(fetches, 1, 'fetched again');
    assert.ok(fs.readFileSync(file).equals(bytes), 'the good pack replaced the damaged one');
    // A pack found intact is used as it is.
    const again = new PackCache(dir, () => master);
    assert.equal(await again.ensure(hash), file);
    assert.equal(fetches, 1);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
