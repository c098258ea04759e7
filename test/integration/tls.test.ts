import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runMr } from '../helpers/cli.js';
import { startCluster } from '../helpers/cluster.js';
import type { TestCluster } from '../helpers/cluster.js';
import { makeTestCerts } from '../helpers/test-certs.js';
import type { TestCerts } from '../helpers/test-certs.js';

describe('TLS and safe defaults', () => {
  let dir: string;
  let certs: TestCerts;
  let stranger: TestCerts;
  let input: string;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'groove-tls-'));
    certs = makeTestCerts(dir, 'cluster');
    stranger = makeTestCerts(dir, 'stranger');
    input = path.join(dir, 'in.txt');
    fs.writeFileSync(input, 'to be or not to be\n');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** Submits a word count with --wait and reads its results, all through the CLI; returns the results or the error. */
  async function wordcount(
    cluster: TestCluster,
    clientArgs: readonly string[],
  ): Promise<{ ok: boolean; out: string; err: string }> {
    const auth = ['--master', cluster.master, '--token-file', cluster.tokenFile as string, ...clientArgs];
    const sub = await runMr(['submit', 'jobs/wordcount.ts', '--input', input, '--wait', ...auth]);
    if (sub.code !== 0) return { ok: false, out: sub.stdout, err: sub.stderr };
    const res = await runMr(['results', sub.stdout.split('\n')[0] as string, ...auth]);
    return { ok: res.code === 0, out: res.stdout, err: res.stderr };
  }
  const expected = 'be\t2\nnot\t1\nor\t1\nto\t2\n';
  const sorted = (text: string): string => text.split('\n').filter(Boolean).sort().join('\n') + '\n';

  it('a TLS cluster (server certificates) runs a job; a client without TLS is refused', async () => {
    const tls = ['--tls-cert', certs.cert, '--tls-key', certs.key, '--tls-ca', certs.ca, '--no-tls-client-auth'];
    const cluster = await startCluster({
      workers: 2,
      token: true,
      commonArgs: tls,
      clientSecurity: { tlsCa: fs.readFileSync(certs.ca) },
    });
    try {
      const good = await wordcount(cluster, ['--tls-ca', certs.ca]);
      assert.ok(good.ok, good.err);
      assert.equal(sorted(good.out), expected);
      const plain = await runMr(['jobs', '--master', cluster.master, '--token-file', cluster.tokenFile as string]);
      assert.notEqual(plain.code, 0);
      assert.match(plain.stderr, /^mr: cannot reach the master/);
      const wrongCa = await runMr([
        'jobs',
        '--master',
        cluster.master,
        '--token-file',
        cluster.tokenFile as string,
        '--tls-ca',
        stranger.ca,
      ]);
      assert.notEqual(wrongCa.code, 0);
    } finally {
      await cluster.stop();
    }
  });

  it('a mutual-TLS cluster runs a job for a client with a certificate from its CA, and refuses others', async () => {
    const tls = ['--tls-cert', certs.cert, '--tls-key', certs.key, '--tls-ca', certs.ca];
    const cluster = await startCluster({
      workers: 2,
      token: true,
      commonArgs: tls,
      clientSecurity: {
        tlsCa: fs.readFileSync(certs.ca),
        tlsCert: fs.readFileSync(certs.cert),
        tlsKey: fs.readFileSync(certs.key),
      },
    });
    try {
      const good = await wordcount(cluster, tls);
      assert.ok(good.ok, good.err);
      assert.equal(sorted(good.out), expected);
      for (const [label, args] of [
        ['no client certificate', ['--tls-ca', certs.ca]],
        [
          'a certificate from another CA',
          ['--tls-ca', certs.ca, '--tls-cert', stranger.cert, '--tls-key', stranger.key],
        ],
      ] as const) {
        const r = await runMr([
          'jobs',
          '--master',
          cluster.master,
          '--token-file',
          cluster.tokenFile as string,
          ...args,
        ]);
        assert.notEqual(r.code, 0, `${label}: accepted`);
        assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      }
    } finally {
      await cluster.stop();
    }
  });

  it('refuses to listen beyond loopback without a token, with a clear message; --insecure starts and warns', async () => {
    for (const cmd of [
      ['master', '--port', '0'],
      ['worker', '--master', '127.0.0.1:1', '--port', '0'],
    ]) {
      const r = await runMr([...cmd, '--host', '0.0.0.0', '--data-dir', path.join(dir, `d-${cmd[0]}`)], {
        env: { MR_TOKEN_FILE: '' },
      });
      assert.notEqual(r.code, 0);
      assert.match(r.stderr.trim(), /^mr: refusing to listen on 0\.0\.0\.0 without a cluster token: .*mr token/);
      assert.equal(r.stderr.trim().split('\n').length, 1);
    }
    const { startDaemon } = await import('../helpers/cli.js');
    const { daemon } = await startDaemon(
      ['master', '--host', '0.0.0.0', '--port', '0', '--insecure', '--data-dir', path.join(dir, 'insecure')],
      /listening on/,
    );
    try {
      assert.match(daemon.log(), /INSECURE: the master listens on 0\.0\.0\.0 without a cluster token/);
    } finally {
      await daemon.stop();
    }
  });
});
