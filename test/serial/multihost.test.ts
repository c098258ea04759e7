import { writeTokenFile } from '../../common/index.js';
import { after, describe, it } from 'node:test';
import type { TestContext } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { waitUntil } from '../helpers/cluster.js';
import type { Daemon, MrResult } from '../helpers/cli.js';
import { writeCorpus } from '../helpers/corpus.js';
import { NetnsLab, ip, netnsUnavailable } from '../helpers/netns.js';
import { parseJsonl, referenceWordCount } from '../helpers/reference.js';
import type { WorkerInfo } from '../../sdk/index.js';

/**
 * Fault tolerance across hosts: a master and three workers, each in its own network
 * namespace behind a private bridge, run a word count; one worker's cable is pulled in
 * the middle of the map phase. The master must notice by missing heartbeats, redo that
 * worker's share elsewhere, and produce exactly the independent reference count.
 */

const WORKERS = ['w1', 'w2', 'w3'] as const;
const MASTER_PORT = 7070;
/** Seconds without heartbeats before the master gives a worker up. */
const WORKER_TIMEOUT_S = 2;
/** Map tasks that must be done before the cut, so the worker holds finished outputs too. */
const MAPS_BEFORE_CUT = 5;

/** `state` and `maps D/T` of `mr status` output. */
function parseStatus(text: string): { state: string; mapsDone: number; mapsTotal: number } {
  const state = /^state\s+(\S+)$/m.exec(text)?.[1];
  const maps = /^maps\s+(\d+)\/(\d+)$/m.exec(text);
  if (!state || !maps) throw new Error(`unexpected mr status output:\n${text}`);
  return { state, mapsDone: Number(maps[1]), mapsTotal: Number(maps[2]) };
}

/** `mr workers --json` output as id -> { address, state, running attempts }. */
function parseWorkers(text: string): Map<string, { address: string; state: string; running: number }> {
  const out = new Map<string, { address: string; state: string; running: number }>();
  for (const w of JSON.parse(text) as WorkerInfo[])
    out.set(w.workerId, { address: w.dataAddress, state: w.state, running: w.running });
  return out;
}

/** Fails with the command line, exit status and stderr when an `mr` command did not succeed. */
function ok(r: MrResult, what: string): string {
  assert.equal(r.code, 0, `${what} exited with ${String(r.code)}: ${r.stderr}`);
  return r.stdout;
}

/**
 * The lab is private: the root namespace got no interface of it and no address in its
 * /24, and no host can route anywhere but its own link.
 */
async function assertLabPrivate(net: NetnsLab): Promise<void> {
  const rootLinks = await ip(['-o', 'link', 'show']);
  assert.doesNotMatch(
    rootLinks,
    new RegExp(`: (${[net.bridge, ...net.hosts.flatMap((h) => [h.hostIf, h.switchPort])].join('|')})[@:]`),
    'the root namespace has a lab interface',
  );
  const rootAddrs = await ip(['-o', 'addr', 'show']);
  const labPrefix = net.host('m').ip.replace(/\.\d+$/, '.');
  assert.ok(!rootAddrs.includes(` ${labPrefix}`), `the root namespace has a lab address:\n${rootAddrs}`);
  for (const h of net.hosts)
    assert.equal((await ip(['-n', h.ns, 'route', 'show', 'default'])).trim(), '', `${h.name} has a default route`);
}

/** `mr` run on host m against the lab's master. */
type LabMr = (args: readonly string[], timeoutMs?: number) => Promise<MrResult>;

/**
 * Starts the master on host m and a worker on each other host, and waits until every
 * worker has registered from its own address. Returns `mr` for the lab, the worker ids by host and
 * the daemons' logs.
 */
async function startCluster(
  net: NetnsLab,
  dir: string,
  daemons: Map<string, Daemon>,
): Promise<{ mr: LabMr; ids: Map<string, string>; logs: () => string }> {
  const masterIp = net.host('m').ip;
  const master = `${masterIp}:${MASTER_PORT}`;
  // Off loopback, Groove refuses to listen without a cluster token: every process gets it.
  const tokenFile = path.join(dir, 'token');
  writeTokenFile(tokenFile);
  const auth = ['--token-file', tokenFile];
  const mr: LabMr = (args, timeoutMs) => net.runMr('m', [...args, '--master', master, ...auth], timeoutMs);

  const m = await net.startDaemon(
    'm',
    [
      'master',
      '--host',
      masterIp,
      '--port',
      String(MASTER_PORT),
      '--data-dir',
      path.join(dir, 'm'),
      '--worker-timeout',
      String(WORKER_TIMEOUT_S),
      ...auth,
    ],
    /listening on (\S+:\d+)/,
  );
  daemons.set('m', m.daemon);
  assert.equal(m.match[1], master);
  const ids = new Map<string, string>();
  await Promise.all(
    WORKERS.map(async (w) => {
      const h = net.host(w);
      const { daemon, match } = await net.startDaemon(
        w,
        [
          'worker',
          '--master',
          master,
          '--host',
          h.ip,
          '--port',
          '0',
          '--slots',
          '1',
          '--data-dir',
          path.join(dir, w),
          ...auth,
        ],
        /groove worker (\S+) serving data on (\S+),/,
      );
      daemons.set(w, daemon);
      assert.match(match[2] as string, new RegExp(`^${h.ip.replace(/\./g, '\\.')}:\\d+$`));
      ids.set(w, match[1] as string);
    }),
  );
  const logs = (): string => [...daemons].map(([name, d]) => `--- ${name} ---\n${d.log()}`).join('\n');

  // Every worker reached the master across the bridge, each from its own address.
  await waitUntil(
    'three workers registered',
    async () => {
      const ws = parseWorkers(ok(await mr(['workers', '--json']), 'mr workers'));
      return WORKERS.every((w) => ws.get(ids.get(w) as string)?.state === 'alive');
    },
    20_000,
  );
  const registered = parseWorkers(ok(await mr(['workers', '--json']), 'mr workers'));
  for (const w of WORKERS)
    assert.equal(
      registered.get(ids.get(w) as string)?.address.split(':')[0],
      net.host(w).ip,
      `${w} registered from another address`,
    );
  return { mr, ids, logs };
}

/**
 * Cuts the link of a worker that is running a task now, if the master's view shows one (w1
 * otherwise), and waits until the master declares it lost (missed heartbeats: 2 s plus its
 * check interval) while the others stay alive.
 */
async function cutBusyWorker(
  t: TestContext,
  net: NetnsLab,
  mr: LabMr,
  ids: ReadonlyMap<string, string>,
): Promise<{ victimId: string; cutAt: number; lostAfter: number }> {
  const busy = parseWorkers(ok(await mr(['workers', '--json']), 'mr workers'));
  const victim = WORKERS.find((w) => (busy.get(ids.get(w) as string)?.running ?? 0) > 0) ?? 'w1';
  const victimId = ids.get(victim) as string;
  const cutAt = Date.now();
  await net.cut(victim);
  t.diagnostic(`cut ${victim} (${victimId})`);
  await waitUntil(
    `the master sees ${victim} lost`,
    async () => parseWorkers(ok(await mr(['workers', '--json']), 'mr workers')).get(victimId)?.state === 'lost',
    15_000,
  );
  const lostAfter = Date.now() - cutAt;
  const others = parseWorkers(ok(await mr(['workers', '--json']), 'mr workers'));
  for (const w of WORKERS)
    if (w !== victim) assert.equal(others.get(ids.get(w) as string)?.state, 'alive', `${w} should still be alive`);
  return { victimId, cutAt, lostAfter };
}

/** The victim really held work: it started tasks before the cut, and the master took them back. */
async function assertWorkTakenBack(
  t: TestContext,
  mr: LabMr,
  jobId: string,
  victimId: string,
  cutAt: number,
): Promise<void> {
  const events = ok(await mr(['events', jobId]), 'mr events');
  const eventTime = (line: string): number => Date.parse(line.slice(0, line.indexOf(' ')));
  const startedOnVictim = events
    .split('\n')
    .filter((l) => l.includes(' task-started ') && l.endsWith(` on ${victimId}`));
  assert.ok(
    startedOnVictim.some((l) => eventTime(l) < cutAt),
    `no task started on ${victimId} before the cut:\n${events}`,
  );
  const takenBack = events
    .split('\n')
    .filter(
      (l) =>
        (/ attempt-lost .* lost with worker (\S+)$/.exec(l)?.[1] ??
          / output-lost .* its output was on worker (\S+);/.exec(l)?.[1]) === victimId,
    );
  assert.ok(takenBack.length > 0, `no attempt-lost or output-lost event for ${victimId}:\n${events}`);
  assert.ok(
    takenBack.every((l) => eventTime(l) >= cutAt),
    `work taken back from ${victimId} before the cut:\n${takenBack.join('\n')}`,
  );
  // Nothing ran on the victim once the master had given it up.
  const lostAt = eventTime(takenBack[0] as string);
  const lateStarts = startedOnVictim.filter((l) => eventTime(l) > lostAt);
  assert.deepEqual(lateStarts, [], `tasks started on ${victimId} after it was lost`);
  t.diagnostic(
    `${startedOnVictim.length} attempts started on ${victimId}; ${takenBack.length} taken back:\n${takenBack.join('\n')}`,
  );
}

describe('a master and three workers on separate hosts (network namespaces)', () => {
  const skip = netnsUnavailable();
  let lab: NetnsLab | undefined;
  let dir: string | undefined;
  const daemons = new Map<string, Daemon>();
  /** What the first test leaves for the second: the finished job, its inputs and final `mr status`. */
  let finished: { jobId: string; files: string[]; statusText: string } | undefined;

  after(async () => {
    try {
      await lab?.destroy();
    } finally {
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it(
    "finishes a word count identical to the reference after a worker's link is cut mid-job",
    { timeout: 85_000 },
    async (t) => {
      // Missing root or iproute2 fails the test, saying what to do: it never passes unrun.
      if (skip) assert.fail(`${skip}: run the tests as root after scripts/test-deps.sh`);
      const started = Date.now();
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'groove-multihost-'));
      lab = new NetnsLab({ hosts: ['m', ...WORKERS] });
      await lab.build();
      const net = lab;

      await assertLabPrivate(net);
      const { mr, ids, logs } = await startCluster(net, dir, daemons);

      const files = writeCorpus(path.join(dir, 'corpus'), 16, 5000, 7);
      const submitted = ok(
        await mr([
          'submit',
          'test/fixtures/slow-wordcount.ts',
          '--input',
          ...files,
          '--partitions',
          '4',
          '--chunk-size',
          '16KiB',
          '--param',
          'mapSleepMs=150',
        ]),
        'mr submit',
      );
      const jobId = submitted.split('\n')[0] ?? '';
      assert.match(jobId, /^slow-wordcount-\S+$/);
      const status = async (): Promise<{ text: string; state: string; mapsDone: number; mapsTotal: number }> => {
        const text = ok(await mr(['status', jobId]), 'mr status');
        return { text, ...parseStatus(text) };
      };

      let beforeCut = await status();
      assert.ok(beforeCut.mapsTotal >= 30, `only ${beforeCut.mapsTotal} map tasks`);
      await waitUntil(
        `${MAPS_BEFORE_CUT} map tasks done`,
        async () => {
          beforeCut = await status();
          return beforeCut.mapsDone >= MAPS_BEFORE_CUT || beforeCut.state !== 'running';
        },
        30_000,
      );
      assert.equal(beforeCut.state, 'running', `the job ended before the cut:\n${beforeCut.text}`);
      assert.ok(beforeCut.mapsDone < beforeCut.mapsTotal, `the map phase was over before the cut:\n${beforeCut.text}`);

      t.diagnostic(
        `cutting at maps ${beforeCut.mapsDone}/${beforeCut.mapsTotal}, ${Date.now() - started} ms into the test`,
      );
      const { victimId, cutAt, lostAfter } = await cutBusyWorker(t, net, mr, ids);

      let final = beforeCut;
      await waitUntil(
        'the job ended',
        async () => {
          final = await status();
          return final.state !== 'running';
        },
        45_000,
      ).catch((err: unknown) => {
        throw new Error(`${(err as Error).message}; last status:\n${final.text}\n${logs()}`);
      });
      assert.equal(final.state, 'succeeded', `the job did not succeed:\n${final.text}\n${logs()}`);
      assert.equal(final.mapsDone, final.mapsTotal);
      t.diagnostic(`lost after ${lostAfter} ms; job done ${Date.now() - cutAt} ms after the cut`);

      await assertWorkTakenBack(t, mr, jobId, victimId, cutAt);

      // The results, read across the bridge from the surviving workers, equal the reference.
      const results = parseJsonl(ok(await mr(['results', jobId, '--format', 'jsonl'], 30_000), 'mr results'));
      assert.deepEqual(results, new Map<string, unknown>(referenceWordCount(files)));
      finished = { jobId, files, statusText: final.text };
      t.diagnostic(`test body took ${Date.now() - started} ms`);
    },
  );

  it('counts each input byte once in the job counters, though maps ran again', () => {
    // Missing root or iproute2 fails the test, saying what to do: it never passes unrun.
    if (skip) assert.fail(`${skip}: run the tests as root after scripts/test-deps.sh`);
    assert.ok(finished, 'the job of the previous test did not finish');
    const counter = (name: string): number =>
      Number(
        new RegExp(`^counter\\s+${name.replace(/\./g, '\\.')} = (\\d+)$`, 'm').exec(finished?.statusText ?? '')?.[1],
      );
    const inputBytes = finished.files.reduce((n, f) => n + fs.statSync(f).size, 0);
    assert.equal(counter('groove.reduce.output.records'), referenceWordCount(finished.files).size);
    assert.equal(counter('groove.map.input.bytes'), inputBytes, `counters after the re-run:\n${finished.statusText}`);
  });
});
