import { after, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { packJobFile } from '../../sdk/index.js';
import { loadJobCode } from '../../worker/index.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'groove-module-name-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('the job API module name', () => {
  for (const name of ['groove-mr', 'groove']) {
    it(`a job importing '${name}' is bundled with 'groove-mr' external, and loads`, async () => {
      const file = path.join(dir, `${name}.ts`);
      fs.writeFileSync(
        file,
        `import { defineJob } from '${name}';\nexport default defineJob({ name: 'n', map(line: string, emit) { emit(line, 1); } });\n`,
      );
      const packed = await packJobFile(file);
      assert.match(packed.pack.code, /require\("groove-mr"\)/);
      assert.doesNotMatch(packed.pack.code, /require\("groove"\)/);
      assert.equal(packed.job.name, 'n');
    });
  }

  it('a pack bundled before the rename (requiring groove) still loads on a worker', () => {
    const job = loadJobCode(
      `const g = require('groove'); module.exports = { default: g.defineJob({ name: 'old', map() {} }) };`,
      'old.js',
    );
    assert.equal(job.name, 'old');
  });
});
