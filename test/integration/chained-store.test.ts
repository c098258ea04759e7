import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { GrooveClient } from '../../sdk/index.js';
import { runMr } from '../helpers/cli.js';
import { startCluster, waitUntil } from '../helpers/cluster.js';
import type { TestCluster } from '../helpers/cluster.js';
import { writeCorpus } from '../helpers/corpus.js';
import { collectResults } from '../helpers/job-output.js';
import { referenceWordCount } from '../helpers/reference.js';

const HISTOGRAM = 'test/fixtures/chain-histogram.ts';

/** count -> how many words have it, as the histogram fixture's results read back. */
function histogram(counts: ReadonlyMap<string, number>): Map<string, number> {
  const out = new Map<string, number>();
  for (const n of counts.values()) out.set(String(n), (out.get(String(n)) ?? 0) + 1);
  return out;
}

describe('chained jobs over results that are gone from the workers but committed to a store', () => {
  let cluster: TestCluster;
  let client: GrooveClient;
  let files: string[];
  let stored: string;
  let storedText: string;

  before(async () => {
    cluster = await startCluster({ workers: 1, masterArgs: ['--worker-timeout', '3'] });
    client = new GrooveClient({ master: cluster.master });
    files = writeCorpus(path.join(cluster.dir, 'corpus'), 3, 3000, 13);
    const submit = async (out: string, format: string): Promise<string> => {
      const args = ['submit', 'jobs/wordcount.ts', '--master', cluster.master, '--input', ...files];
      const r = await runMr([...args, '--partitions', '3', '--output', out, '--format', format, '--wait']);
      assert.equal(r.code, 0, r.stderr);
      return r.stdout.split('\n')[0] as string;
    };
    stored = await submit(`${pathToFileURL(path.join(cluster.dir, 'out-jsonl')).href}/`, 'jsonl');
    storedText = await submit(`${pathToFileURL(path.join(cluster.dir, 'out-text')).href}/`, 'text');
    // The only worker, and with it every part file, goes; a new one joins.
    const [gone] = cluster.workers;
    gone?.daemon.process.kill('SIGKILL');
    await waitUntil('the worker is lost', async () => (await client.workers()).every((w) => w.state === 'lost'));
    await cluster.addWorker();
  });
  after(async () => {
    client.close();
    await cluster.stop();
  });

  it('reads each partition from the store as typed [key, value] records: results equal the reference', async () => {
    const r = await runMr(['submit', HISTOGRAM, '--input', `mr://${stored}`, '--master', cluster.master, '--wait']);
    assert.equal(r.code, 0, r.stderr);
    const second = r.stdout.split('\n')[0] as string;
    assert.deepEqual(await collectResults(client, second), histogram(referenceWordCount(files)));
    const status = await client.status(second);
    assert.equal(status.mapsTotal, 3);
    // Nothing of it is on a worker any more: no map had a preferred worker.
    assert.equal(status.mapsWithLocality, 0);
  });

  it('refuses, in one line naming the input, a job whose stored results are text (they keep no types)', async () => {
    const r = await runMr(['submit', HISTOGRAM, '--input', `mr://${storedText}`, '--master', cluster.master]);
    assert.notEqual(r.code, 0);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`mr://${storedText}/0: .*gone from the workers.*as text.*--format jsonl`));
  });
});
