import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runMr } from '../helpers/cli.js';
import type { MrResult } from '../helpers/cli.js';
import { EmbeddedCluster, GrooveClient, packJobFile, UserError } from '../../sdk/index.js';

function assertOneLine(r: MrResult, pattern: RegExp): void {
  assert.equal(r.code, 1, `exit ${String(r.code)}; stderr: ${r.stderr}`);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, pattern);
}

describe('inputs that hold nothing, and inputs the master cannot see', () => {
  let dir: string;
  let empty: string;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'groove-inputs-test-'));
    empty = path.join(dir, 'empty');
    fs.mkdirSync(path.join(empty, 'sub'), { recursive: true });
    fs.writeFileSync(path.join(empty, '.hidden'), 'skipped\n');
    fs.writeFileSync(path.join(dir, 'words.txt'), 'a b a\n');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('refuses a directory that holds no input file, naming it', async () => {
    assertOneLine(
      await runMr(['run', 'jobs/wordcount.ts', '--input', path.join(dir, 'words.txt'), empty, '--slots', '1']),
      new RegExp(`input ${empty}: the directory holds no input file .*--allow-empty`),
    );
  });

  it('refuses a quoted glob that matches no file', async () => {
    assertOneLine(
      await runMr(['run', 'jobs/wordcount.ts', '--input', path.join(dir, '*.csv'), '--slots', '1']),
      /no file matches .*\*\.csv .*--allow-empty/,
    );
  });

  it('runs over nothing with --allow-empty', async () => {
    const r = await runMr([
      'run',
      'jobs/wordcount.ts',
      '--input',
      empty,
      path.join(dir, '*.csv'),
      '--allow-empty',
      '--slots',
      '1',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '');
    const some = await runMr([
      'run',
      'jobs/wordcount.ts',
      '--input',
      empty,
      path.join(dir, 'words.txt'),
      '--allow-empty',
      '--slots',
      '1',
    ]);
    assert.equal(some.code, 0, some.stderr);
    assert.deepEqual(some.stdout.trim().split('\n').sort(), ['a\t2', 'b\t1']);
  });

  it('says the master cannot read an input it does not see, and that paths must be the same everywhere', async () => {
    // As from a client on another host: the path exists where the client runs, not where the master does.
    const cluster = await EmbeddedCluster.start({ slots: 1 });
    const client = new GrooveClient({ master: cluster.masterAddress, security: cluster.security });
    try {
      const packed = await packJobFile('jobs/wordcount.ts');
      const missing = path.join(dir, 'only-on-my-laptop', 'hello.txt');
      await assert.rejects(client.submitPacked(packed, { inputs: [missing] }), (err: Error) => {
        assert.ok(err instanceof UserError, String(err));
        assert.match(
          err.message,
          new RegExp(
            `input ${missing}: the master cannot read it \\(no such file on its host\\); inputs must be readable by the master and the workers at the same path`,
          ),
        );
        assert.doesNotMatch(err.message, /not found/);
        return true;
      });
    } finally {
      client.close();
      await cluster.stop();
    }
  });
});
