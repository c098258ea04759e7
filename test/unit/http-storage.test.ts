import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { HttpInputError, openHttpReader, setHttpTrustedCa, storageFor } from '../../storage/index.js';
import type { RangeReader } from '../../storage/index.js';
import { startFileServer } from '../helpers/http-file-server.js';
import type { FileServer } from '../helpers/http-file-server.js';
import { makeTestCerts } from '../helpers/test-certs.js';

/** All of a reader's bytes from `start`, read forward in reads of `block` bytes. */
async function readAll(reader: RangeReader, start: number, block: number): Promise<Buffer> {
  const out: Buffer[] = [];
  for (let at = start; ;) {
    const buf = Buffer.alloc(block);
    const n = await reader.read(buf, 0, block, at);
    if (n === 0) break;
    out.push(buf.subarray(0, n));
    at += n;
  }
  return Buffer.concat(out);
}

describe('the http(s) storage backend', () => {
  let dir: string;
  let body: Buffer;
  const servers: FileServer[] = [];
  const serve = async (...args: Parameters<typeof startFileServer>): Promise<FileServer> => {
    const s = await startFileServer(...args);
    servers.push(s);
    return s;
  };

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'groove-http-unit-'));
    body = Buffer.from(Array.from({ length: 40_000 }, (_, i) => `line ${i}\n`).join(''));
    fs.writeFileSync(path.join(dir, 'a.txt'), body);
  });
  after(async () => {
    setHttpTrustedCa(undefined);
    await Promise.all(servers.map((s) => s.close()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('is the backend of http and https URLs', () => {
    assert.deepEqual(storageFor('http://h/x').schemes, ['http', 'https']);
    assert.equal(storageFor('HTTPS://h/x'), storageFor('http://h/x'));
  });

  it('stats by HEAD: the size, and range reads only when the server says Accept-Ranges: bytes', async () => {
    const ranged = await serve(dir);
    const plain = await serve(dir, { ranges: false });
    const unsized = await serve(dir, { ranges: false, contentLength: false });
    const s = await storageFor(ranged.base).stat(`${ranged.base}/a.txt`);
    assert.equal(s.size, body.length);
    assert.equal(s.kind, 'object');
    assert.equal(s.rangeReads, true);
    assert.equal((await storageFor(plain.base).stat(`${plain.base}/a.txt`)).rangeReads, false);
    assert.equal((await storageFor(unsized.base).stat(`${unsized.base}/a.txt`)).size, Infinity);
    assert.deepEqual(
      ranged.requests.map((r) => r.method),
      ['HEAD'],
    );
  });

  it('reads forward from any position with one ranged GET, checked by its Content-Range', async () => {
    const server = await serve(dir);
    const url = `${server.base}/a.txt`;
    for (const start of [0, 1, 12_345, body.length - 3, body.length, body.length + 10]) {
      const reader = openHttpReader(url);
      const got = await readAll(reader, start, 7_000);
      await reader.close();
      assert.ok(got.equals(body.subarray(start)), `from ${start}`);
    }
    const gets = server.requests.filter((r) => r.method === 'GET');
    assert.equal(gets.length, 6, 'one request per reader');
    assert.deepEqual(
      gets.map((r) => r.status),
      [206, 206, 206, 206, 416, 416],
    );
    const bytes = await storageFor(url).read(url);
    assert.ok(bytes.equals(body));
    const chunks: Buffer[] = [];
    for await (const c of storageFor(url).openRange(url, 100, 50_000, 4096)) chunks.push(c as Buffer);
    assert.ok(Buffer.concat(chunks).equals(body.subarray(100, 50_000)));
  });

  it('reads a server without range support from byte 0, and refuses its 200 to a range past 0', async () => {
    const server = await serve(dir, { ranges: false, contentLength: false });
    const url = `${server.base}/a.txt`;
    const reader = openHttpReader(url);
    assert.ok((await readAll(reader, 0, 65_536)).equals(body));
    await reader.close();
    const later = openHttpReader(url);
    await assert.rejects(later.read(Buffer.alloc(10), 0, 10, 5), (err: Error) => {
      assert.ok(err instanceof HttpInputError);
      assert.match(err.message, /^input http:\/\/127\.0\.0\.1:\d+\/a\.txt: the server ignored a Range request/);
      return true;
    });
    await later.close();
  });

  it('names the URL and the status of a 4xx, with the seam code of a missing object, and does not retry it', async () => {
    const server = await serve(dir);
    const url = `${server.base}/nope.txt`;
    await assert.rejects(storageFor(url).stat(url), (err: HttpInputError) => {
      assert.equal(err.message, `input ${url}: HTTP 404 Not Found`);
      assert.equal(err.code, 'ENOENT');
      return true;
    });
    assert.equal(server.requests.length, 1);
  });

  it('follows redirects, a bounded number of them', async () => {
    const server = await serve(dir);
    const url = `${server.base}/redirect/a.txt`;
    assert.equal((await storageFor(url).stat(url)).size, body.length);
    const reader = openHttpReader(url);
    assert.ok((await readAll(reader, 1000, 65_536)).equals(body.subarray(1000)));
    await reader.close();
    const looping = `${server.base}/redirect/redirect/redirect/redirect/redirect/redirect/a.txt`;
    await assert.rejects(storageFor(looping).stat(looping), /more than 5 redirects/);
  });

  it('tries a transient failure (503, a reset body) again, a bounded number of times', async () => {
    let failures = 2;
    const flaky = await serve(dir, {
      fail: (req) => {
        if (req.method !== 'GET' || failures <= 0) return undefined;
        failures--;
        return failures === 1 ? { status: 503 } : { resetAfterBytes: 5000 };
      },
    });
    const reader = openHttpReader(`${flaky.base}/a.txt`);
    assert.ok((await readAll(reader, 0, 65_536)).equals(body));
    await reader.close();
    const down = await serve(dir, { fail: () => ({ status: 503 }) });
    const url = `${down.base}/a.txt`;
    await assert.rejects(storageFor(url).stat(url), (err: Error) => {
      assert.equal(err.message, `input ${url}: HTTP 503 Service Unavailable`);
      return true;
    });
    assert.equal(down.requests.length, 3, 'three tries, then the failure');
  });

  it('gives up on a server that does not answer within the time limit', async () => {
    const server = await serve(dir, { fail: () => ({ stall: true }) });
    const reader = openHttpReader(`${server.base}/a.txt`, 200);
    const started = Date.now();
    await assert.rejects(reader.read(Buffer.alloc(10), 0, 10, 0), /no answer for 200 ms/);
    assert.ok(Date.now() - started < 10_000);
    assert.equal(server.requests.length, 3);
    await reader.close();
  });

  it('refuses every write with one line', async () => {
    const s = storageFor('http://h/x');
    for (const op of [s.stage('http://h/x'), s.writeAtomic('http://h/x', Buffer.alloc(1)), s.remove('http://h/x')]) {
      await assert.rejects(op, {
        message: 'http://h/x: http inputs are read-only (results go to a file or object store)',
      });
    }
    await assert.rejects(s.rename('http://h/x', 'http://h/y'), /read-only/);
  });

  it('verifies TLS: a private CA fails with a TLS error naming the URL until it is trusted', async () => {
    const certs = makeTestCerts(path.join(dir, 'certs'), 'web');
    const server = await serve(dir, { tls: { cert: certs.cert, key: certs.key } });
    const url = `${server.base}/a.txt`;
    await assert.rejects(storageFor(url).stat(url), (err: HttpInputError) => {
      assert.match(err.message, /^input https:\/\/127\.0\.0\.1:\d+\/a\.txt: TLS: .*--ca FILE/);
      assert.equal(err.transient, false);
      return true;
    });
    setHttpTrustedCa(fs.readFileSync(certs.ca, 'utf8'));
    assert.equal((await storageFor(url).stat(url)).size, body.length);
    // The default roots are kept beside it, not replaced: still no trust for a stranger's CA.
    const other = makeTestCerts(path.join(dir, 'certs2'), 'other');
    const stranger = await serve(dir, { tls: { cert: other.cert, key: other.key } });
    await assert.rejects(storageFor(stranger.base).stat(`${stranger.base}/a.txt`), /TLS/);
    setHttpTrustedCa(undefined);
  });
});
