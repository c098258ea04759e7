import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GrooveClient } from '../../sdk/index.js';
import { runMr } from '../helpers/cli.js';
import { startCluster } from '../helpers/cluster.js';
import type { TestCluster } from '../helpers/cluster.js';
import { writeCorpus } from '../helpers/corpus.js';

/**
 * Preloaded into every process of the workers (NODE_OPTIONS); in pool processes only, it
 * writes the modules loaded when the process exits, and at once the first grpc-js module
 * loaded, with the stack that loaded it.
 */
const PRELOAD = `
const fs = require('fs');
const Module = require('module');
const out = process.env.GROOVE_TEST_MODULE_LOG;
if (out && process.env.GROOVE_POOL_PROCESS === '1') {
  const load = Module._load;
  let seen = false;
  Module._load = function (request, ...rest) {
    if (!seen && String(request).includes('@grpc/')) {
      seen = true;
      fs.writeFileSync(out + '/' + process.pid + '.grpc', request + '\\n' + new Error('loaded here').stack);
    }
    return load.call(this, request, ...rest);
  };
  process.on('exit', () => fs.writeFileSync(out + '/' + process.pid + '.json', JSON.stringify(Object.keys(require.cache))));
}
`;

describe('pool processes never load grpc-js', () => {
  let logDir: string;
  let cluster: TestCluster;
  let client: GrooveClient;

  before(async () => {
    logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'groove-pool-modules-'));
    const preload = path.join(logDir, 'preload.js');
    fs.writeFileSync(preload, PRELOAD);
    const env = { NODE_OPTIONS: `--require ${preload}`, GROOVE_TEST_MODULE_LOG: logDir };
    cluster = await startCluster({ workers: 2, slots: 1, workerEnv: () => env });
    client = new GrooveClient({ master: cluster.master });
  });
  after(async () => {
    client.close();
    await cluster.stop();
    fs.rmSync(logDir, { recursive: true, force: true });
  });

  it('reducers fetch remote map outputs without a gRPC client of their own', async () => {
    const files = writeCorpus(path.join(cluster.dir, 'corpus'), 4, 3000, 5);
    const r = await runMr([
      'submit',
      'jobs/wordcount.ts',
      '--input',
      ...files,
      '--partitions',
      '2',
      '--chunk-size',
      '16KiB',
      '--master',
      cluster.master,
      '--wait',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const status = await client.status(r.stdout.split('\n')[0] ?? '');
    assert.equal(status.state, 'succeeded');
    // Maps ran on both workers, so the reducers fetched from the other one.
    assert.ok((status.counters['groove.reduce.fetch.bytes'] ?? 0) > 0, 'no reducer fetched a remote map output');
    await cluster.stop();
    const dumps = fs.readdirSync(logDir).filter((f) => f.endsWith('.json'));
    assert.ok(dumps.length >= 2, `module lists of ${dumps.length} pool processes`);
    for (const f of dumps) {
      const modules = JSON.parse(fs.readFileSync(path.join(logDir, f), 'utf8')) as string[];
      assert.ok(
        modules.some((m) => m.endsWith(`${path.sep}reduce-task.js`)),
        `${f}: not a pool process's module list`,
      );
      assert.deepEqual(
        modules.filter((m) => m.includes('@grpc')),
        [],
        `${f} loaded grpc`,
      );
    }
    const loads = fs.readdirSync(logDir).filter((f) => f.endsWith('.grpc'));
    assert.deepEqual(
      loads.map((f) => fs.readFileSync(path.join(logDir, f), 'utf8')),
      [],
    );
  });
});
