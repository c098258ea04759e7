import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { JOURNAL_FILE, LOCK_FILE } from '../../master/index.js';
import { MR, mrEnv, ROOT } from '../helpers/cli.js';
import { waitUntil } from '../helpers/cluster.js';

/** The native addon better-sqlite3 loads: mapped into a process that opened a journal. */
const SQLITE_ADDON = 'better_sqlite3.node';

describe('mr run runs its embedded master without a journal', () => {
  let dir: string;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'groove-no-journal-test-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('creates no journal file and never loads SQLite, while a task runs', async () => {
    const tmp = fs.mkdtempSync(path.join(dir, 'tmp-'));
    const input = path.join(dir, 'input.txt');
    fs.writeFileSync(input, 'one line\n');
    const started = path.join(dir, 'map-started');
    const child = spawn(
      process.execPath,
      [MR, 'run', 'test/fixtures/blocks-in-map.ts', '--input', input, '--slots', '1', '--param', `started=${started}`],
      { cwd: ROOT, env: mrEnv({ TMPDIR: tmp }), stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await waitUntil('a map task runs', () => fs.existsSync(started));
      const runs = fs.readdirSync(tmp).filter((name) => name.startsWith('groove-run-'));
      assert.equal(runs.length, 1, `one temporary data dir, found ${runs.join(', ')}`);
      const masterDir = path.join(tmp, runs[0] as string, 'master');
      // The lock shows this is the running master's data dir, so the journal's absence means something.
      assert.ok(fs.existsSync(path.join(masterDir, LOCK_FILE)), `the master holds ${masterDir}`);
      const journalFiles = fs.readdirSync(masterDir).filter((name) => name.startsWith(JOURNAL_FILE));
      assert.deepEqual(journalFiles, []);
      const maps = fs.readFileSync(`/proc/${child.pid}/maps`, 'utf8');
      assert.ok(maps.includes('libc'), 'the maps file lists the shared objects of the process');
      assert.ok(!maps.includes(SQLITE_ADDON), 'mr run loaded better-sqlite3');
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 143, stderr);
  });
});
