import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GrooveClient } from '../../sdk/index.js';
import type { JobStatus } from '../../sdk/index.js';
import { runMr } from '../helpers/cli.js';
import { startCluster, waitUntil } from '../helpers/cluster.js';
import type { TestCluster } from '../helpers/cluster.js';
import { writeCorpus } from '../helpers/corpus.js';
import { collectResults } from '../helpers/job-output.js';

const TOPWORDS = 'jobs/topwords.ts';
const THREE_STAGES = 'test/fixtures/three-stages.ts';

/** Every file's whitespace tokens, one a line, by coreutils (each file on its own: one may lack a final newline). */
const TOKENS = `for f in "$@"; do tr -s '[:space:]' '\\n' < "$f"; echo; done | grep -v '^$'`;

/**
 * The top n words of the files by coreutils in the C locale (bytewise), as topwords prints
 * them: `WORD<TAB>COUNT`, count descending, then word ascending.
 */
function coreutilsTopWords(files: readonly string[], n: number): string {
  const script = `${TOKENS} | sort | uniq -c | sort -k1,1nr -k2,2 | head -n ${n} ` + `| awk '{ print $2 "\\t" $1 }'`;
  return execFileSync('sh', ['-c', script, 'sh', ...files], { env: { ...process.env, LC_ALL: 'C' } }).toString();
}

/** Tokens and distinct words of the files by coreutils: what the three-stage fixture computes. */
function coreutilsTokenCounts(files: readonly string[]): { tokens: number; distinct: number } {
  const words = (cmd: string): number =>
    Number(
      execFileSync('sh', ['-c', `${TOKENS} | ${cmd} | wc -l`, 'sh', ...files], {
        env: { ...process.env, LC_ALL: 'C' },
      })
        .toString()
        .trim(),
    );
  return { tokens: words('cat'), distinct: words('sort -u') };
}

describe('staged jobs with mr run', () => {
  let dir: string;
  let files: string[];

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'groove-stages-'));
    files = writeCorpus(path.join(dir, 'corpus'), 4, 3000, 11);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('topwords gives the top n words, as coreutils ranks them, from one submission', async () => {
    for (const [args, n] of [
      [['--param', 'n=25'], 25],
      [[], 10],
    ] as const) {
      const r = await runMr(['run', TOPWORDS, '--input', ...files, '--partitions', '3', ...args]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, coreutilsTopWords(files, n));
      assert.equal(r.stdout.split('\n').length - 1, n);
    }
  });

  it('refuses an n that is not a positive integer in one line', async () => {
    const r = await runMr(['run', TOPWORDS, '--input', files[0] as string, '--param', 'n=-3', '--max-attempts', '1']);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0] as string, /topwords: --param n must be a positive integer, got "-3"/);
  });
});

describe('staged jobs on three workers', () => {
  let cluster: TestCluster;
  let client: GrooveClient;
  let files: string[];

  before(async () => {
    cluster = await startCluster({ workers: 3, slots: 2 });
    client = new GrooveClient({ master: cluster.master });
    files = writeCorpus(path.join(cluster.dir, 'corpus'), 6, 4000, 5);
  });
  after(async () => {
    client.close();
    await cluster.stop();
  });

  it('runs topwords as one job: one id, one result, mr status naming its stage', async () => {
    const sub = ['submit', TOPWORDS, '--input', ...files, '--param', 'n=40', '--chunk-size', '16KiB'];
    const r = await runMr([...sub, '--master', cluster.master, '--wait']);
    assert.equal(r.code, 0, r.stderr);
    const id = r.stdout.split('\n')[0] as string;
    const results = await runMr(['results', id, '--master', cluster.master]);
    assert.equal(results.stdout, coreutilsTopWords(files, 40));
    const status = await runMr(['status', id, '--master', cluster.master]);
    assert.match(status.stdout, /^stage {5}2\/2 /m);
    assert.match(status.stdout, /^state {5}succeeded$/m);
    // One job listed, under the id submit printed; its last stage read stage 1's partitions where they were.
    const jobs = await client.jobs();
    assert.deepEqual(
      jobs.map((j) => j.jobId),
      [id],
    );
    const s = await client.status(id);
    assert.equal(s.mapsWithLocality, 4, 'one map per partition of stage 1 (4 by default)');
  });

  it('runs three stages in order, the status saying which, with the right answer', async () => {
    const id = await client.submit(THREE_STAGES, { inputs: files, partitions: 2 });
    const seen: number[] = [];
    let last: JobStatus | undefined;
    for await (const e of client.watch(id)) {
      if (!e.status) continue;
      last = e.status;
      assert.equal(e.status.jobId, id);
      if (seen.at(-1) !== e.status.stage) seen.push(e.status.stage);
    }
    assert.deepEqual(seen, [1, 2, 3]);
    assert.equal(last?.state, 'succeeded');
    assert.equal(last?.stages, 3);
    const { tokens, distinct } = coreutilsTokenCounts(files);
    assert.deepEqual(
      await collectResults(client, id),
      new Map([
        ['distinct', distinct],
        ['tokens', tokens],
      ]),
    );
  });

  it('goes on at the right stage after the master is killed -9 during stage 2', async () => {
    const id = await client.submit(THREE_STAGES, { inputs: files, params: { stage2SleepMs: '6000' } });
    await waitUntil('stage 2 runs', async () => (await client.status(id)).stage === 2, 120_000);
    // Stage 2's maps each hold their slot for 6 s: mr status sees the job in it.
    const shown = await runMr(['status', id, '--master', cluster.master]);
    assert.match(shown.stdout, /^stage {5}2\/3 /m);
    assert.match(shown.stdout, /^state {5}running$/m);
    await cluster.restartMaster();
    const after = new GrooveClient({ master: cluster.master });
    try {
      assert.equal((await after.status(id)).stage >= 2, true, 'stage 1 is not run again');
      const status = await after.wait(id);
      assert.equal(status.state, 'succeeded', status.error);
      assert.equal(status.stage, 3);
      const { tokens, distinct } = coreutilsTokenCounts(files);
      assert.deepEqual(
        await collectResults(after, id),
        new Map([
          ['distinct', distinct],
          ['tokens', tokens],
        ]),
      );
    } finally {
      after.close();
    }
  });
});
