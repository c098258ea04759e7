import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT, runMr, startDaemon } from '../helpers/cli.js';
import { startCluster, waitUntil } from '../helpers/cluster.js';
import type { TestCluster } from '../helpers/cluster.js';

describe('the mr command line', () => {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'groove-cli-usage-'));
  after(() => fs.rmSync(scratch, { recursive: true, force: true }));

  it('has --version', async () => {
    const version = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string })
      .version;
    const r = await runMr(['--version']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `groove-mr ${version}\n`);
  });

  it('names a job file JOB_FILE and a job id JOB_ID in its help', async () => {
    const r = await runMr(['--help']);
    assert.equal(r.code, 0, r.stderr);
    for (const c of ['run', 'submit']) assert.match(r.stdout, new RegExp(`mr ${c} <JOB_FILE>`));
    for (const c of ['wait', 'status', 'events', 'results', 'kill', 'purge'])
      assert.match(r.stdout, new RegExp(`mr ${c} <JOB_ID>`));
    assert.doesNotMatch(r.stdout, /<job>/);
    const worker = await runMr(['worker', '--help']);
    assert.match(worker.stdout.replace(/\s+/g, ' '), /~\/\.groove\/token if it exists/);
  });

  it('exits 2 with one line for every usage error, option values included', async () => {
    const cases: string[][] = [
      ['run', 'jobs/wordcount.ts', '--input', 'README.md', '--format', 'csv'],
      ['run', 'jobs/wordcount.ts', '--input', 'README.md', '--partitions', '0'],
      ['run', 'jobs/wordcount.ts', '--input', 'README.md', '--slots', '-1'],
      ['run', 'jobs/wordcount.ts', '--input', 'README.md', '--chunk-size', 'lots'],
      ['run', 'jobs/wordcount.ts', '--input', 'README.md', '--chunk-size', '1'],
      ['run', 'jobs/wordcount.ts', '--input', 'README.md', '--param', 'novalue'],
      ['run', 'jobs/wordcount.ts', '--input', 'README.md', '--no-such-option'],
      ['jobs', '--master', 'not-an-address'],
      ['master', '--port', '70000', '--data-dir', path.join(scratch, 'unused-master')],
      ['frobnicate'],
    ];
    for (const args of cases) {
      const r = await runMr(args);
      assert.equal(r.code, 2, `mr ${args.join(' ')}: exit ${String(r.code)}, stderr ${r.stderr}`);
      assert.equal(r.stderr.trim().split('\n').length, 1, `mr ${args.join(' ')}: ${r.stderr}`);
    }
    // Not a usage error: the input is missing.
    assert.equal((await runMr(['run', 'jobs/wordcount.ts', '--input', 'no-such-file.txt'])).code, 1);
  });

  it('the master says the address it is bound to', async () => {
    const { daemon, match } = await startDaemon(
      ['master', '--host', '0.0.0.0', '--port', '0', '--insecure', '--data-dir', path.join(scratch, 'master-any')],
      /listening on (\S+)/,
    );
    await daemon.stop();
    assert.match(match[1] as string, /^0\.0\.0\.0:\d+$/);
  });
});

describe('mr kill', () => {
  let cluster: TestCluster;
  let input: string;

  before(async () => {
    cluster = await startCluster({ workers: 1, slots: 1 });
    input = path.join(cluster.dir, 'in.txt');
    fs.writeFileSync(input, 'a\nb\n');
  });
  after(() => cluster.stop());

  it('says a job had already ended instead of printing its state as if it had been killed', async () => {
    const done = await runMr(['submit', 'jobs/wordcount.ts', '--input', input, '--master', cluster.master, '--wait']);
    assert.equal(done.code, 0, done.stderr);
    const id = done.stdout.split('\n')[0] as string;
    const r = await runMr(['kill', id, '--master', cluster.master]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${id} had already ended (succeeded); nothing to kill\n`);
  });

  it('kills a running job', async () => {
    const started = path.join(cluster.dir, 'started');
    const sub = await runMr([
      'submit',
      'test/fixtures/blocks-in-map.ts',
      '--input',
      input,
      '--master',
      cluster.master,
      '--param',
      `started=${started}`,
    ]);
    assert.equal(sub.code, 0, sub.stderr);
    const id = sub.stdout.split('\n')[0] as string;
    await waitUntil('the map task runs', () => fs.existsSync(started));
    const r = await runMr(['kill', id, '--master', cluster.master]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${id} killed\n`);
  });
});
