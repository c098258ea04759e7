import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { GrooveClient } from '../../sdk/index.js';
import { startDaemon } from '../helpers/cli.js';
import type { Daemon } from '../helpers/cli.js';
import { waitUntil } from '../helpers/cluster.js';

/** `nobody` exists on Debian and most Linux systems; the worker must be root to switch to it. */
function nobodyUid(): number | undefined {
  try {
    return Number(execFileSync('id', ['-u', 'nobody'], { encoding: 'utf8' }).trim());
  } catch {
    return undefined;
  }
}

describe('--run-as: job code runs as another user', () => {
  const uid = nobodyUid();
  const skip = process.getuid?.() !== 0 ? 'needs root' : uid === undefined ? 'no user nobody' : undefined;
  let dir: string;
  const daemons: Daemon[] = [];
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'groove-runas-'));
    // The pool processes must reach their data dir and the input as that user.
    fs.chmodSync(dir, 0o755);
  });
  after(async () => {
    await Promise.all(daemons.map((d) => d.stop()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("pool processes run as the given user, who cannot read the worker's secrets", async () => {
    // Missing root or the user fails the test, saying what is missing: it never passes unrun.
    if (skip) assert.fail(`${skip}: run the tests as root on a system with the user nobody`);
    const secret = path.join(dir, 'secret');
    fs.writeFileSync(secret, 'only root', { mode: 0o600 });
    const input = path.join(dir, 'in.txt');
    fs.writeFileSync(input, 'x\ny\n', { mode: 0o644 });
    const m = await startDaemon(['master', '--port', '0', '--data-dir', path.join(dir, 'm')], /listening on (\S+)/);
    daemons.push(m.daemon);
    const master = m.match[1] as string;
    const w = await startDaemon(
      [
        'worker',
        '--master',
        master,
        '--port',
        '0',
        '--slots',
        '1',
        '--run-as',
        'nobody',
        '--data-dir',
        path.join(dir, 'w'),
      ],
      /serving data on/,
    );
    daemons.push(w.daemon);
    const client = new GrooveClient({ master });
    try {
      await waitUntil('the worker registered', async () => (await client.workers()).length === 1);
      const id = await client.submit('test/fixtures/whoami.ts', { inputs: [input], partitions: 1, params: { secret } });
      await client.wait(id);
      const out = new Map<string, unknown>();
      for await (const [k, v] of client.results(id)) out.set(String(k), v);
      assert.deepEqual(
        out,
        new Map([
          ['can-read-secret', 'no'],
          ['uid', String(uid)],
        ]),
      );
    } finally {
      client.close();
    }
  });

  it('refuses an unknown user in one line', async () => {
    if (skip) assert.fail(`${skip}: run the tests as root on a system with the user nobody`);
    const { runMr } = await import('../helpers/cli.js');
    const r = await runMr([
      'worker',
      '--master',
      '127.0.0.1:1',
      '--run-as',
      'no-such-user-x',
      '--data-dir',
      path.join(dir, 'w2'),
    ]);
    assert.notEqual(r.code, 0);
    assert.equal(r.stderr.trim(), 'mr: --run-as: no such user no-such-user-x');
  });
});
