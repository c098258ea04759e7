import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runMr } from '../helpers/cli.js';
import type { MrResult } from '../helpers/cli.js';
import { writeCorpus } from '../helpers/corpus.js';
import { startFileServer } from '../helpers/http-file-server.js';
import type { FileServer, FileServerOptions } from '../helpers/http-file-server.js';
import { collectResults } from '../helpers/job-output.js';
import { referenceWordCount } from '../helpers/reference.js';
import { makeTestCerts } from '../helpers/test-certs.js';
import { EmbeddedCluster, GrooveClient, packJobFile } from '../../sdk/index.js';

/** `word\tcount` lines as a map. */
function counts(stdout: string): Map<string, number> {
  return new Map(
    stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => [l.slice(0, l.lastIndexOf('\t')), Number(l.slice(l.lastIndexOf('\t') + 1))]),
  );
}

function assertOneLine(r: MrResult, pattern: RegExp, code = 1): void {
  assert.equal(r.code, code, `exit ${String(r.code)}; stderr: ${r.stderr}`);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.doesNotMatch(r.stderr, /^\s+at /m);
  assert.match(r.stderr, pattern);
}

/** Ranged GETs a server answered, as the first byte asked for. */
function rangeStarts(server: FileServer, name: string): number[] {
  return server.requests
    .filter((r) => r.method === 'GET' && r.path === `/${name}` && r.range !== undefined)
    .map((r) => Number(/^bytes=(\d+)-/.exec(r.range ?? '')?.[1]));
}

describe('http(s):// inputs', () => {
  let dir: string;
  let files: string[];
  let names: string[];
  const servers: FileServer[] = [];
  const serve = async (options?: FileServerOptions): Promise<FileServer> => {
    const s = await startFileServer(path.join(dir, 'corpus'), options);
    servers.push(s);
    return s;
  };
  const urls = (server: FileServer): string[] => names.map((n) => `${server.base}/${n}`);
  const wordcount = (inputs: readonly string[], ...more: string[]): Promise<MrResult> =>
    runMr(['run', 'jobs/wordcount.ts', '--input', ...inputs, '--partitions', '3', '--slots', '2', ...more]);

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'groove-http-inputs-'));
    // Five files of about 100 KB (one empty, one without a final newline), so that a
    // chunk size of 16 KiB cuts each into several splits, lines straddling every cut.
    files = writeCorpus(path.join(dir, 'corpus'), 5, 16_000, 7);
    names = files.map((f) => path.basename(f));
  });
  after(async () => {
    await Promise.all(servers.map((s) => s.close()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('counts words over a server that honours Range as over the local files, each file in several range reads', async () => {
    const server = await serve();
    const r = await wordcount(urls(server), '--chunk-size', '16384');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(counts(r.stdout), referenceWordCount(files));
    for (const [i, name] of names.entries()) {
      const size = fs.statSync(files[i] as string).size;
      const starts = new Set(rangeStarts(server, name).filter((s) => s > 0));
      if (size > 2 * 16384) assert.ok(starts.size >= 2, `${name}: split reads from ${[...starts].join(', ')}`);
    }
    assert.ok(
      server.requests.every((q) => q.status === 200 || q.status === 206 || q.status === 416),
      JSON.stringify(server.requests.filter((q) => q.status >= 300)),
    );
  });

  it('reads a server without range support one task per URL, as one stream, with or without Content-Length', async () => {
    for (const contentLength of [true, false]) {
      const server = await serve({ ranges: false, contentLength });
      const r = await wordcount(urls(server), '--chunk-size', '16384');
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(counts(r.stdout), referenceWordCount(files));
      // No split past byte 0: a map task reading from the middle would have asked for a range there.
      for (const name of names) assert.deepEqual(new Set(rangeStarts(server, name)), new Set([0]), name);
    }
  });

  it('follows a redirect', async () => {
    const server = await serve();
    const r = await wordcount([`${server.base}/redirect/${names[0] as string}`], '--chunk-size', '16384');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(counts(r.stdout), referenceWordCount([files[0] as string]));
    assert.ok(server.requests.some((q) => q.status === 302));
  });

  it('refuses a missing URL at submit with one line naming it and the status', async () => {
    const server = await serve();
    const missing = `${server.base}/no-such-file.txt`;
    assertOneLine(await wordcount([missing]), new RegExp(`^mr: input ${missing}: HTTP 404 Not Found$`, 'm'));
  });

  it('reads https from a private CA with --ca, and without it fails with one TLS line naming the URL', async () => {
    const certs = makeTestCerts(path.join(dir, 'certs'), 'web');
    const server = await serve({ tls: { cert: certs.cert, key: certs.key } });
    const r = await wordcount(urls(server), '--chunk-size', '32768', '--ca', certs.ca);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(counts(r.stdout), referenceWordCount(files));
    const refused = await wordcount(urls(server).slice(0, 1));
    assertOneLine(refused, new RegExp(`^mr: input ${urls(server)[0] as string}: TLS: .*--ca FILE`, 'm'));
    // A bad option value is a usage error (exit 2), named before anything starts.
    const bad = await wordcount(urls(server), '--ca', files[0] as string);
    assertOneLine(bad, /^mr: --ca .*doc0000\.txt: not a PEM certificate/m, 2);
  });

  it('mr master and mr worker take --ca, and name a file that is not there before starting', async () => {
    const missing = path.join(dir, 'no-such-ca.pem');
    for (const command of [
      ['master', '--port', '0'],
      ['worker', '--master', '127.0.0.1:1'],
    ]) {
      const r = await runMr([...command, '--ca', missing, '--data-dir', path.join(dir, command[0] as string)]);
      assertOneLine(r, new RegExp(`^mr: --ca ${missing}: cannot read it \\(ENOENT\\)$`, 'm'), 2);
    }
  });

  it('survives a server that fails mid-task: resets and 503s tried again, then an attempt retried by the master', async () => {
    const first = names[0] as string;
    let firstGets = 0;
    let resets = 0;
    let heads = 0;
    const server = await serve({
      fail: (req) => {
        // HEADs: the client's peek, then the master's at submit; the map tasks' GETs come after.
        if (req.method === 'HEAD' && req.url === `/${first}`) heads++;
        if (req.method !== 'GET') return undefined;
        // Every ranged read from the middle breaks off once after 1000 bytes.
        const start = Number(/^bytes=(\d+)-/.exec(req.headers.range ?? '')?.[1] ?? 0);
        if (start > 0 && resets++ % 2 === 0) return { resetAfterBytes: 1000 };
        // The first file's first five GETs fail: with two slots, two attempts share them and one gets three.
        if (req.url === `/${first}` && heads >= 2 && firstGets++ < 5) return { status: 503 };
        return undefined;
      },
    });
    const cluster = await EmbeddedCluster.start({ slots: 2 });
    const client = new GrooveClient({
      master: cluster.masterAddress,
      security: cluster.security,
      localDataDirs: cluster.localDataDirs,
    });
    try {
      const packed = await packJobFile('jobs/wordcount.ts');
      const jobId = await client.submitPacked(packed, { inputs: urls(server), chunkSize: 16384, partitions: 3 });
      const status = await client.wait(jobId);
      assert.equal(status.state, 'succeeded', status.error);
      assert.deepEqual(await collectResults(client, jobId), referenceWordCount(files));
      assert.ok(status.failedAttempts >= 1, 'the attempt that ran out of tries was retried by the master');
      assert.ok(resets > 2);
    } finally {
      client.close();
      await cluster.stop();
    }
  });
});
