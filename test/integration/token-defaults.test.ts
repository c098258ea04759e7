import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runMr, startDaemon } from '../helpers/cli.js';
import type { Daemon } from '../helpers/cli.js';
import { writeTokenFile } from '../../sdk/index.js';

describe('cluster tokens: ~/.groove/token by default, and a refused token ends the worker', () => {
  let dir: string;
  let home: string;
  let master: Daemon | undefined;
  let address: string;
  /** As a user whose HOME holds the token `mr token` wrote, with no MR_TOKEN_FILE set. */
  let asUser: NodeJS.ProcessEnv;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'groove-token-test-'));
    home = path.join(dir, 'home');
    fs.mkdirSync(home);
    asUser = { HOME: home, MR_TOKEN_FILE: undefined };
    const made = await runMr(['token'], { env: asUser });
    assert.equal(made.code, 0, made.stderr);
    assert.equal(made.stdout.trim(), path.join(home, '.groove', 'token'));
    const started = await startDaemon(
      ['master', '--port', '0', '--data-dir', path.join(dir, 'm')],
      /listening on (127\.0\.0\.1:\d+)/,
      30_000,
      asUser,
    );
    master = started.daemon;
    address = started.match[1] as string;
  });
  after(async () => {
    await master?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('the master reads ~/.groove/token when neither --token-file nor MR_TOKEN_FILE is given, and says so', async () => {
    assert.match(
      master?.log() ?? '',
      new RegExp(`listening on 127\\.0\\.0\\.1:\\d+, cluster token from ${path.join(home, '.groove', 'token')}`),
    );
    const without = await runMr(['jobs', '--master', address], { env: { HOME: home, MR_TOKEN_FILE: '' } });
    assert.equal(without.code, 1, 'MR_TOKEN_FILE= (empty) means no token: the master refuses');
    assert.match(without.stderr, /a cluster token is required/);
  });

  it('clients and workers read it too', async () => {
    const jobs = await runMr(['jobs', '--master', address], { env: asUser });
    assert.equal(jobs.code, 0, jobs.stderr);
    const { daemon } = await startDaemon(
      ['worker', '--master', address, '--port', '0', '--data-dir', path.join(dir, 'w-ok')],
      /registered with the master/,
      30_000,
      asUser,
    );
    await daemon.stop();
  });

  it('a worker with a wrong token exits 1 with one line instead of retrying forever', async () => {
    const wrong = path.join(dir, 'wrong-token');
    writeTokenFile(wrong);
    const r = await runMr(
      ['worker', '--master', address, '--port', '0', '--data-dir', path.join(dir, 'w-wrong'), '--token-file', wrong],
      { timeoutMs: 60_000 },
    );
    assert.equal(r.code, 1, r.stderr);
    const errors = r.stderr.split('\n').filter((l) => l.startsWith('mr: '));
    assert.deepEqual(errors, [
      `mr: the master at ${address} refused this worker: wrong cluster token (give every process the cluster's token: --token-file or MR_TOKEN_FILE)`,
    ]);
    assert.doesNotMatch(r.stderr, /reconnecting/);
  });

  it('a worker without a token exits 1 the same way', async () => {
    const r = await runMr(['worker', '--master', address, '--port', '0', '--data-dir', path.join(dir, 'w-none')], {
      timeoutMs: 60_000,
    });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /^mr: the master at \S+ refused this worker: a cluster token is required/m);
  });
});
