import { after, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runMr, startDaemon } from '../helpers/cli.js';
import { Master, WorkerDaemon } from '../../sdk/index.js';

/**
 * Option errors name the flag the user typed, in the unit the flag takes, on one line with
 * exit 2; the SDK's name the options field. Both come from one table per component.
 */
describe('option errors', () => {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'groove-option-errors-'));
  after(() => fs.rmSync(scratch, { recursive: true, force: true }));
  const run = ['run', 'jobs/wordcount.ts', '--input', 'README.md'];
  const masterDir = ['--data-dir', path.join(scratch, 'master')];
  const workerDir = ['--data-dir', path.join(scratch, 'worker')];

  it('name the typed flag in its own unit, on one line, exit 2', async () => {
    const cases: readonly [args: readonly string[], line: string][] = [
      [
        ['master', '--worker-timeout', '1', ...masterDir],
        'mr: --worker-timeout must be a number of seconds of at least 2, got 1',
      ],
      [
        ['worker', '--task-timeout', '0.05', ...workerDir],
        'mr: --task-timeout must be a number of seconds of at least 0.1, got 0.05',
      ],
      [[...run, '--partitions', 'abc'], "mr: --partitions must be an integer from 1 to 10000, got 'abc'"],
      [
        [...run, '--sort-buffer-mb', '0.01'],
        'mr: --sort-buffer-mb must be a number of MiB from 0.0625 (64 KiB) to 4096 (4 GiB), got 0.01',
      ],
      [
        [...run, '--chunk-size', '1'],
        'mr: --chunk-size must be a size from 4 KiB to 1 TiB (such as 65536, 512KiB or 64MiB), got 1',
      ],
      [
        [...run, '--chunk-size', 'lots'],
        "mr: --chunk-size must be a size from 4 KiB to 1 TiB (such as 65536, 512KiB or 64MiB), got 'lots'",
      ],
      [[...run, '-p', '20000'], 'mr: --partitions must be an integer from 1 to 10000, got 20000'],
      [[...run, '--max-attempts', '101'], 'mr: --max-attempts must be an integer from 1 to 100, got 101'],
      [[...run, '--slots', '0'], 'mr: --slots must be an integer from 1 to 1024, got 0'],
      [
        ['worker', '--task-memory-mb', '10.5', ...workerDir],
        'mr: --task-memory-mb must be an integer number of MiB of at least 64, got 10.5',
      ],
      [
        ['worker', '--drain-timeout', '-1', ...workerDir],
        'mr: --drain-timeout must be a number of seconds of at least 0, got -1',
      ],
      [['master', '--http-port', 'x', ...masterDir], "mr: --http-port must be an integer from 0 to 65535, got 'x'"],
      [
        ['master', '--speculation-min-ms', '1.5', ...masterDir],
        'mr: --speculation-min-ms must be an integer of at least 0, got 1.5',
      ],
      [
        ['master', '--retention', '5x', ...masterDir],
        "mr: --retention must be a duration of at least 1s such as 7d, 12h, 30m or 90s, got '5x'",
      ],
      [
        ['master', '--retention', '500ms', ...masterDir],
        "mr: --retention must be a duration of at least 1s such as 7d, 12h, 30m or 90s, got '500ms'",
      ],
      [
        ['wait', 'job-1', '--reconnect-timeout', 'soon'],
        "mr: --reconnect-timeout must be a duration such as 7d, 12h, 30m or 90s, got 'soon'",
      ],
      [[...run, '--partitions'], 'mr: Not enough arguments following: partitions'],
    ];
    for (const [args, line] of cases) {
      const r = await runMr(args);
      assert.equal(r.stderr, `${line}\n`, `mr ${args.join(' ')}`);
      assert.equal(r.code, 2, `mr ${args.join(' ')}: exit ${String(r.code)}`);
      assert.equal(r.stdout, '');
    }
  });

  it("take a fraction of the flag's unit where the field is finer (seconds for ms)", async () => {
    const { daemon, match } = await startDaemon(
      ['master', '--port', '0', '--worker-timeout', '2.5', ...masterDir],
      /listening on (\S+)/,
    );
    try {
      assert.match(match[1] as string, /^127\.0\.0\.1:\d+$/);
    } finally {
      await daemon.stop();
    }
  });

  it("show each default in the flag's unit in the help", async () => {
    const master = (await runMr(['master', '--help'])).stdout.replace(/\s+/g, ' ');
    assert.match(
      master,
      /--worker-timeout time without a heartbeat after which a worker is lost \(at least two heartbeats\), seconds \[default: 5\]/,
    );
    assert.match(master, /--port gRPC port \(0: any free port\) \[default: 7070\]/);
    const worker = (await runMr(['worker', '--help'])).stdout.replace(/\s+/g, ' ');
    assert.match(worker, /--task-timeout [^[]*, seconds \[default: 120\]/);
    assert.match(worker, /--task-memory-mb heap limit of each pool process, MiB \[default: 2048\]/);
    const runHelp = (await runMr(['run', '--help'])).stdout.replace(/\s+/g, ' ');
    assert.match(runHelp, /--sort-buffer-mb [^[]*, MiB \[default: the job's sortBufferMB, else 100\]/);
    assert.match(runHelp, /--chunk-size [^[]*\[default: 64 MiB\]/);
  });

  it('from the SDK name the options field, in its unit', async () => {
    await assert.rejects(Master.start({ dataDir: path.join(scratch, 'sdk-master'), port: 0, workerTimeoutMs: 1000 }), {
      message: 'workerTimeoutMs must be an integer of at least 2000, got 1000',
    });
    // The bound follows the heartbeat it depends on.
    await assert.rejects(
      Master.start({ dataDir: path.join(scratch, 'sdk-master'), port: 0, heartbeatMs: 2000, workerTimeoutMs: 3000 }),
      {
        message: 'workerTimeoutMs must be an integer of at least 4000, got 3000',
      },
    );
    await assert.rejects(
      WorkerDaemon.start({ master: '127.0.0.1:1', dataDir: path.join(scratch, 'sdk-worker'), taskTimeoutMs: 50 }),
      {
        message: 'taskTimeoutMs must be an integer of at least 100, got 50',
      },
    );
  });
});
