import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EmbeddedCluster, GrooveClient } from '../../sdk/index.js';

describe("results read from a local worker's disk (EmbeddedCluster.localDataDirs)", () => {
  let dir: string;
  let cluster: EmbeddedCluster;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'groove-local-results-'));
    cluster = await EmbeddedCluster.start({ slots: 2, dataDir: path.join(dir, 'cluster') });
  });
  after(async () => {
    await cluster.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('gives the same records as the network, binary values intact across many read blocks', async () => {
    // About 24 MB of part files: several of the local reader's 4 MiB blocks per part.
    const input = path.join(dir, 'lines.txt');
    const lines = Array.from({ length: 120_000 }, (_, i) => `line ${String(i).padStart(8, '0')} ${'x'.repeat(i % 37)}`);
    fs.writeFileSync(input, lines.join('\n') + '\n');
    const remote = new GrooveClient({ master: cluster.masterAddress, security: cluster.security });
    const local = new GrooveClient({
      master: cluster.masterAddress,
      security: cluster.security,
      localDataDirs: cluster.localDataDirs,
    });
    try {
      const jobId = await remote.submit('test/fixtures/binary-values.ts', { inputs: [input] });
      await remote.wait(jobId);
      const read = async (client: GrooveClient): Promise<[unknown, unknown][]> => {
        const out: [unknown, unknown][] = [];
        for await (const record of client.results(jobId)) out.push(record);
        return out;
      };
      const fromDisk = await read(local);
      assert.equal(fromDisk.length, lines.length);
      for (const [k, v] of fromDisk) {
        assert.ok(Buffer.isBuffer(v), `value of ${String(k)} is not binary`);
        assert.equal(v.toString(), String(k).repeat(4), `value of ${String(k)}`);
      }
      assert.deepEqual(fromDisk, await read(remote));
    } finally {
      local.close();
      remote.close();
    }
  });
});
