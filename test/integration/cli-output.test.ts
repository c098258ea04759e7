import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GrooveClient } from '../../sdk/index.js';
import type { JobEvent, JobStatus, WorkerInfo } from '../../sdk/index.js';
import { MR, mrEnv, runMr, runProcess } from '../helpers/cli.js';
import { startCluster } from '../helpers/cluster.js';
import type { TestCluster } from '../helpers/cluster.js';

/** An ANSI escape sequence, as cli-progress draws with (cursor moves, line clears). */
const ESCAPE = '\u001b[';
/** What the failing job's input line holds: an escape sequence and a C1 CSI (U+009B), as text to show. */
const HOSTILE = 'red \u001b[31m csi \u009b2J end';
/** A control character of any kind (C0 but tab and newline, DEL, C1), raw. */
// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

/**
 * Checks that a table's rows are aligned under its header (every column starts where its
 * header does, after a gap of spaces) and returns its rows as cells.
 */
function tableRows(table: string, header: readonly string[]): string[][] {
  const [head, ...rows] = table.trimEnd().split('\n');
  const starts = header.map((h) => (head as string).indexOf(h));
  assert.equal(starts[0], 0, `header ${JSON.stringify(head)}`);
  for (let i = 1; i < starts.length; i++)
    assert.ok((starts[i] as number) > (starts[i - 1] as number), `column ${header[i]} in ${JSON.stringify(head)}`);
  return rows.map((row) => {
    for (let i = 1; i < starts.length; i++) {
      const at = starts[i] as number;
      assert.equal(row.slice(at - 2, at), '  ', `column ${header[i]} of ${JSON.stringify(row)} is not aligned`);
      assert.notEqual(row[at] ?? ' ', ' ', `column ${header[i]} of ${JSON.stringify(row)} is not aligned`);
    }
    return starts.map((at, i) => row.slice(at, starts[i + 1]).trim());
  });
}

/** The command line as one shell word per argument, for `script -c`. */
function shellLine(args: readonly string[]): string {
  return args.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
}

/** Runs `mr ARGS...` on a pseudo-terminal (util-linux `script`); stdout and stderr come back together. */
function runMrOnTerminal(args: readonly string[], redirectStdout?: string): ReturnType<typeof runMr> {
  const line = shellLine([process.execPath, MR, ...args]) + (redirectStdout ? ` > ${shellLine([redirectStdout])}` : '');
  return runProcess('script', ['-qfec', line, '/dev/null'], { env: mrEnv() });
}

describe('the output of the mr commands', () => {
  let cluster: TestCluster;
  let client: GrooveClient;
  let input: string;
  let tokens: number;
  let good: string;
  let failed: string;

  before(async () => {
    cluster = await startCluster({ workers: 2 });
    client = new GrooveClient({ master: cluster.master, security: cluster.security });
    input = path.join(cluster.dir, 'words.txt');
    fs.writeFileSync(input, 'a b c\nb c\nc\n');
    tokens = 6;
    const boom = path.join(cluster.dir, 'boom.txt');
    fs.writeFileSync(boom, `ok\nboom ${HOSTILE}\n`);
    good = await client.submit('jobs/wordcount.ts', { inputs: [input], partitions: 2 });
    failed = await client.submit('test/fixtures/throws-in-map.ts', { inputs: [boom], maxAttempts: 1 });
    await client.wait(good);
    await client.wait(failed).catch(() => undefined);
  });
  after(async () => {
    client?.close();
    await cluster?.stop();
  });

  it('mr jobs prints an aligned table with a header, the error on one line', async () => {
    const r = await runMr(['jobs', '--master', cluster.master]);
    assert.equal(r.code, 0, r.stderr);
    const rows = tableRows(r.stdout, ['JOB', 'STATE', 'MAP', 'REDUCE', 'SUBMITTED', 'DURATION', 'ERROR']);
    assert.equal(rows.length, 2, r.stdout);
    assert.deepEqual(rows[0]?.slice(0, 4), [good, 'succeeded', '1/1', '2/2']);
    assert.match(rows[0]?.[4] ?? '', /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    assert.match(rows[0]?.[5] ?? '', /^\d+ ms$|^\d+\.\d s$/);
    assert.equal(rows[0]?.[6], '-');
    assert.deepEqual(rows[1]?.slice(0, 2), [failed, 'failed']);
    assert.match(rows[1]?.[6] ?? '', /exploded on purpose/);
    // The user's text is shown, its control characters as escapes that do nothing to a terminal.
    assert.ok(rows[1]?.[6]?.includes('red \\x1b[31m csi \\x9b2J end'), rows[1]?.[6]);
    assert.doesNotMatch(r.stdout, RAW_CONTROL);
  });

  it('mr workers prints an aligned table with a header', async () => {
    const r = await runMr(['workers', '--master', cluster.master]);
    assert.equal(r.code, 0, r.stderr);
    const rows = tableRows(r.stdout, ['WORKER', 'ADDRESS', 'HOST', 'STATE', 'SLOTS', 'LAST SEEN']);
    assert.deepEqual(rows.map((row) => row[0]).sort(), cluster.workers.map((w) => w.id).sort());
    for (const row of rows) {
      const worker = cluster.workers.find((w) => w.id === row[0]);
      assert.deepEqual(row.slice(1, 5), [worker?.dataAddress, row[2], 'alive', '0/1']);
      assert.match(row[5] ?? '', /^\d+(\.\d)? (ms|s) ago$/);
    }
  });

  it('--json prints what the SDK returns, with its field names', async () => {
    const jobs = await runMr(['jobs', '--master', cluster.master, '--json']);
    assert.equal(jobs.code, 0, jobs.stderr);
    assert.deepEqual(JSON.parse(jobs.stdout) as JobStatus[], await client.jobs());
    // Control characters in the user's text (the failed job's error) are \u escapes: the same text, read back.
    assert.doesNotMatch(jobs.stdout, RAW_CONTROL);
    assert.ok((await client.status(failed)).error.includes(HOSTILE), 'the error keeps the input line');

    const status = await runMr(['status', good, '--master', cluster.master, '--json']);
    const shown = JSON.parse(status.stdout) as JobStatus;
    assert.deepEqual(shown, await client.status(good));
    assert.equal(shown.jobId, good);
    assert.equal(shown.counters['groove.map.input.records'], 3);

    const workers = await runMr(['workers', '--master', cluster.master, '--json']);
    const listed = JSON.parse(workers.stdout) as WorkerInfo[];
    const expected = await client.workers();
    // lastSeen moves with every heartbeat: the rest is compared as it is.
    const stable = (ws: WorkerInfo[]) => ws.map(({ lastSeen: _, ...w }) => w);
    assert.deepEqual(stable(listed), stable(expected));
    assert.deepEqual(listed.map((w) => w.workerId).sort(), cluster.workers.map((w) => w.id).sort());
    assert.ok(listed.every((w) => typeof w.lastSeen === 'number' && w.lastSeen > 0));

    const events = await runMr(['events', good, '--master', cluster.master, '--json']);
    const lines = events.stdout.trimEnd().split('\n');
    const parsed = lines.map((l) => JSON.parse(l) as JobEvent);
    const direct: JobEvent[] = [];
    for await (const e of client.watch(good)) direct.push(e);
    assert.deepEqual(parsed, direct);
    assert.equal(parsed[0]?.type, 'submitted');
    assert.equal(parsed.at(-1)?.status?.state, 'succeeded');

    const where = await runMr(['results', good, '--master', cluster.master, '--locations', '--json']);
    assert.equal(where.code, 0, where.stderr);
    assert.deepEqual(JSON.parse(where.stdout), await client.resultLocations(good));
  });

  it('mr results --locations prints where each partition is, and --json needs it', async () => {
    const r = await runMr(['results', good, '--master', cluster.master, '--locations']);
    assert.equal(r.code, 0, r.stderr);
    const rows = tableRows(r.stdout, ['PARTITION', 'WORKER', 'ADDRESS', 'PATH']);
    assert.deepEqual(
      rows.map((row) => row[0]),
      ['0', '1'],
    );
    for (const row of rows)
      assert.match(row[3] ?? '', new RegExp(`^jobs/${good}/reduce-0000${row[0]}-a0/part\\.data$`));
    const bad = await runMr(['results', good, '--master', cluster.master, '--json']);
    assert.equal(bad.code, 2);
    assert.equal(bad.stderr, 'mr: --json goes with --locations (for results as JSON, use --format jsonl)\n');
  });

  it('mr submit --wait draws progress bars on a terminal', async () => {
    const r = await runMrOnTerminal([
      'submit',
      'jobs/wordcount.ts',
      '--input',
      input,
      '--partitions',
      '2',
      '--master',
      cluster.master,
      '--wait',
    ]);
    assert.equal(r.code, 0, r.stdout);
    const lines = r.stdout.split(/\r?\n/);
    assert.match(lines[0] ?? '', /^wordcount-\S+$/, 'the job id is the first line');
    assert.ok(r.stdout.includes(ESCAPE), 'no terminal control sequences: not drawn as bars');
    assert.match(r.stdout, /map {4}\[#{40}\] 1\/1 tasks 100%/);
    assert.match(r.stdout, /reduce \[#{40}\] 2\/2 tasks 100%/);
    assert.match(r.stdout, new RegExp(`^${lines[0] ?? ''}: 1 map tasks, 2 reduce tasks\r?$`, 'm'));
    assert.match(r.stdout, new RegExp(`${lines[0] ?? ''}: succeeded in \\d`));
  });

  it('mr submit --wait prints plain progress lines when stderr is not a terminal', async () => {
    const r = await runMr([
      'submit',
      'jobs/wordcount.ts',
      '--input',
      input,
      '--partitions',
      '2',
      '--master',
      cluster.master,
      '--wait',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const id = r.stdout.trim();
    assert.match(r.stderr, new RegExp(`^${id}: succeeded, map 1/1, reduce 2/2$`, 'm'));
    assert.ok(!r.stderr.includes(ESCAPE), `control sequences without a terminal: ${JSON.stringify(r.stderr)}`);
    assert.doesNotMatch(r.stderr, /\[#/);
  });

  it('mr run draws bars on a terminal and prints the counters on stderr, never among the results', async () => {
    const out = path.join(cluster.dir, 'run-tty.out');
    const job = 'test/fixtures/wordcount-no-combiner.ts';
    const tty = await runMrOnTerminal(['run', job, '--input', input, '--partitions', '2'], out);
    assert.equal(tty.code, 0, tty.stdout);
    assert.match(tty.stdout, /map {4}\[#{40}\] 1\/1 tasks 100%/);
    assert.match(tty.stdout, /reduce \[#{40}\] 2\/2 tasks 100%/);
    assert.match(tty.stdout, new RegExp(`^tokens +${tokens}\\r?$`, 'm'));
    assert.equal(fs.readFileSync(out, 'utf8').split('\n').sort().join('\n'), '\na\t1\nb\t2\nc\t3');

    const plain = await runMr(['run', job, '--input', input, '--partitions', '2']);
    assert.equal(plain.code, 0, plain.stderr);
    assert.equal(plain.stdout.split('\n').sort().join('\n'), '\na\t1\nb\t2\nc\t3');
    const counters = tableRows(plain.stderr, ['COUNTER', 'VALUE']);
    assert.deepEqual(
      counters.find((row) => row[0] === 'tokens'),
      ['tokens', String(tokens)],
    );
    assert.deepEqual(
      counters.find((row) => row[0] === 'groove.map.input.records'),
      ['groove.map.input.records', '3'],
    );
    assert.ok(!plain.stderr.includes(ESCAPE), 'control sequences without a terminal');
  });
});
