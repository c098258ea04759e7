import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MR, mrEnv, ROOT, runMr } from '../helpers/cli.js';
import { waitUntil } from '../helpers/cluster.js';

/** The temporary data dirs `mr run` left in `tmp`. */
function leftovers(tmp: string): string[] {
  return fs.readdirSync(tmp).filter((name) => name.startsWith('groove-run-'));
}

/** Starts `mr run` with its temporary files in `tmp`; resolves with its exit code and stderr. */
function startRun(tmp: string, args: readonly string[]) {
  const child = spawn(process.execPath, [MR, 'run', ...args], {
    cwd: ROOT,
    env: mrEnv({ TMPDIR: tmp }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; stderr: string }>((resolve) =>
    child.on('exit', (code) => resolve({ code, stderr })),
  );
  return { child, exited };
}

describe('mr run removes its temporary data dir however it ends', () => {
  let dir: string;
  let input: string;
  let tmp: string;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'groove-cleanup-test-'));
    input = path.join(dir, 'input.txt');
    fs.writeFileSync(input, Array.from({ length: 20_000 }, (_, i) => `line ${i} word${i % 977}`).join('\n') + '\n');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('when the reader of stdout goes away (mr run | head)', async () => {
    tmp = fs.mkdtempSync(path.join(dir, 'tmp-'));
    const { child, exited } = startRun(tmp, [
      'jobs/wordcount.ts',
      '--input',
      input,
      '--slots',
      '1',
      '--partitions',
      '2',
    ]);
    child.stdout.once('data', () => child.stdout.destroy());
    const { code, stderr } = await exited;
    assert.equal(code, 0, stderr);
    assert.deepEqual(leftovers(tmp), []);
  });

  for (const [signal, status] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    it(`on ${signal} while a task runs, exiting ${status}`, async () => {
      tmp = fs.mkdtempSync(path.join(dir, 'tmp-'));
      const started = path.join(tmp, 'map-started');
      const { child, exited } = startRun(tmp, [
        'test/fixtures/blocks-in-map.ts',
        '--input',
        input,
        '--slots',
        '1',
        '--param',
        `started=${started}`,
      ]);
      await waitUntil('a map task runs', () => fs.existsSync(started));
      assert.equal(leftovers(tmp).length, 1, 'the run has a data dir while it runs');
      child.kill(signal);
      const { code, stderr } = await exited;
      assert.equal(code, status, stderr);
      assert.deepEqual(leftovers(tmp), []);
    });
  }

  it('when the job fails', async () => {
    tmp = fs.mkdtempSync(path.join(dir, 'tmp-'));
    fs.writeFileSync(path.join(dir, 'boom.txt'), 'a\nboom\n');
    const r = await runMr(
      ['run', 'test/fixtures/throws-in-map.ts', '--input', path.join(dir, 'boom.txt'), '--max-attempts', '1'],
      { env: { TMPDIR: tmp } },
    );
    assert.equal(r.code, 1, r.stderr);
    assert.deepEqual(leftovers(tmp), []);
  });
});
