import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GrooveClient } from '../../sdk/index.js';
import { runMr } from '../helpers/cli.js';
import { startCluster, waitUntil } from '../helpers/cluster.js';
import type { TestCluster } from '../helpers/cluster.js';
import { writeCorpus } from '../helpers/corpus.js';

const GATED_STAGES = 'test/fixtures/gated-stages.ts';
/** How long the job may take to fail once the worker is killed: worker loss is seen when its session breaks. */
const FAIL_WITHIN_MS = 30_000;

/** The ready files the gated stage-2 maps wrote (`<ready>.<taskId>`), by task id. */
function readyTasks(dir: string, ready: string): string[] {
  const prefix = `${path.basename(ready)}.`;
  return fs
    .readdirSync(dir)
    .filter((f) => f.startsWith(prefix))
    .map((f) => f.slice(prefix.length));
}

describe('staged jobs on three workers: the workers holding stage outputs', () => {
  let cluster: TestCluster;
  let client: GrooveClient;
  let files: string[];

  before(async () => {
    cluster = await startCluster({ workers: 3, slots: 2 });
    client = new GrooveClient({ master: cluster.master });
    files = writeCorpus(path.join(cluster.dir, 'corpus'), 6, 3000, 3);
  });
  after(async () => {
    client.close();
    await cluster.stop();
  });

  // Last: it loses a worker.
  it('fails the job in one line, bounded, when a worker holding stage 1 output stage 2 needs is killed -9', async () => {
    const gates = path.join(cluster.dir, 'gates');
    fs.mkdirSync(gates);
    const gate = path.join(gates, 'stage2-gate');
    const ready = path.join(gates, 'stage2-ready');
    const id = await client.submit(GATED_STAGES, {
      inputs: files,
      partitions: 6,
      params: { stage2Gate: gate, stage2Ready: ready },
    });
    try {
      // A stage-2 map at its gate: stage 1 ended, and no stage-2 map can commit until the gate opens.
      await waitUntil('a stage-2 map waits at its gate', () => readyTasks(gates, ready).length > 0, 120_000);
      const status = await client.status(id);
      assert.equal(status.stage, 2);
      assert.equal(status.state, 'running');
      assert.equal(status.mapsDone, 0, 'no stage-2 map committed: each still needs its stage-1 partition');
      const parts = await client.resultParts(`${id}.stage1`);
      assert.equal(parts.length, 6);
      const victim = cluster.workers.find((w) => parts.some((p) => p.workerId === w.id));
      assert.ok(victim, 'some worker holds a stage-1 partition');
      const held = parts.filter((p) => p.workerId === victim.id).map((p) => p.partition);
      const killedAt = Date.now();
      victim.daemon.process.kill('SIGKILL');
      await waitUntil(
        'the staged job failed',
        async () => (await client.status(id)).state === 'failed',
        FAIL_WITHIN_MS,
      );
      const tookMs = Date.now() - killedAt;
      assert.ok(tookMs < FAIL_WITHIN_MS, `failed ${tookMs} ms after the kill`);
      const failed = await client.status(id);
      assert.equal(failed.stage, 2, 'it failed in stage 2: stage 1 was not run again');
      const m = new RegExp(
        `^stage 1's output partition (\\d+) was lost with worker ${victim.id} during stage 2; ` +
          'a lost stage output is not computed again: run the job again$',
      ).exec(failed.error);
      assert.ok(m, failed.error);
      assert.ok(held.includes(Number(m[1])), `partition ${m[1]} is one the victim held (${held.join(', ')})`);
      // The CLI says it in one line, under the job's own id.
      const waited = await runMr(['wait', id, '--master', cluster.master]);
      assert.notEqual(waited.code, 0);
      const errors = waited.stderr.split('\n').filter((l) => l.startsWith('mr: '));
      assert.equal(errors.length, 1, waited.stderr);
      assert.ok(errors[0]?.includes(failed.error), waited.stderr);
      assert.doesNotMatch(waited.stderr, /^\s+at /m, 'no stack trace');
    } finally {
      fs.writeFileSync(gate, '');
    }
  });
});
