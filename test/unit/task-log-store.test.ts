import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createLogger } from '../../common/index.js';
import { TASK_LOG_CAP_BYTES, TaskLogStore } from '../../worker/index.js';
import type { StoredLogLine } from '../../worker/index.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'groove-task-logs-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));

function store(name: string): { store: TaskLogStore; dir: string } {
  const dir = path.join(root, name);
  return { store: new TaskLogStore(dir, createLogger('test')), dir };
}

describe('task log store', () => {
  it('keeps each attempt in its own JSON-lines file, read back from any offset', () => {
    const { store: s, dir } = store('files');
    s.append('job1', 'map-00000', 0, 'info', 'first');
    s.append('job1', 'map-00000', 0, 'warn', 'second\nwith a line end');
    s.append('job1', 'map-00000', 1, 'info', 'retry');
    s.append('job1', 'reduce-00000', 0, 'info', 'reduced');
    s.end('job1', 'map-00000', 0);
    const file = path.join(dir, 'jobs', 'job1', 'logs', 'map-00000-a0.jsonl');
    const stored = fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { level: string; message: string });
    assert.deepEqual(
      stored.map((l) => [l.level, l.message]),
      [
        ['info', 'first'],
        ['warn', 'second\nwith a line end'],
      ],
    );
    const all = s.read('job1', undefined);
    assert.deepEqual(
      all.map((l) => `${l.taskId}/${l.attempt}/${l.message}`),
      ['map-00000/0/first', 'map-00000/0/second\nwith a line end', 'map-00000/1/retry', 'reduce-00000/0/reduced'],
    );
    const first = all[0] as StoredLogLine;
    assert.equal(first.endOffset, Buffer.byteLength(fs.readFileSync(file, 'utf8').split('\n')[0] as string) + 1);
    // From the first line's end: the rest of that file, and the other files whole.
    assert.deepEqual(
      s.read('job1', 'map-00000', { 'map-00000-a0': first.endOffset }).map((l) => l.message),
      ['second\nwith a line end', 'retry'],
    );
    assert.deepEqual(s.read('job2', undefined), []);
  });

  it('caps an attempt at TASK_LOG_CAP_BYTES with one marker line, and drops the rest', () => {
    const { store: s, dir } = store('cap');
    const message = 'x'.repeat(1000);
    const lines = Math.ceil((2 * TASK_LOG_CAP_BYTES) / message.length);
    for (let i = 0; i < lines; i++) s.append('job1', 'map-00000', 0, 'info', message);
    s.end('job1', 'map-00000', 0);
    const file = path.join(dir, 'jobs', 'job1', 'logs', 'map-00000-a0.jsonl');
    assert.ok(fs.statSync(file).size <= TASK_LOG_CAP_BYTES, `${fs.statSync(file).size} bytes`);
    const read = s.read('job1', 'map-00000');
    const last = read.at(-1) as StoredLogLine;
    assert.match(last.message, /^\[log truncated: this attempt logged more than 1 MiB; the rest was dropped\]$/);
    assert.equal(last.level, 'warn');
    assert.ok(read.slice(0, -1).every((l) => l.message === message));
    assert.ok(read.length > 900 && read.length < lines, `${read.length} lines kept`);
  });

  it('hands a follower every line appended after it subscribed, with its offset', () => {
    const { store: s } = store('follow');
    s.append('job1', 'map-00000', 0, 'info', 'before');
    const seen: StoredLogLine[] = [];
    const off = s.subscribe('job1', (l) => seen.push(l));
    s.append('job1', 'map-00000', 0, 'info', 'after');
    s.append('job2', 'map-00000', 0, 'info', 'another job');
    off();
    s.append('job1', 'map-00000', 0, 'info', 'unsubscribed');
    assert.deepEqual(
      seen.map((l) => l.message),
      ['after'],
    );
    const onDisk = s.read('job1', 'map-00000');
    assert.equal(seen[0]?.endOffset, onDisk[1]?.endOffset);
  });
});
