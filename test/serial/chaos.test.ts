import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GrooveClient } from '../../sdk/index.js';
import type { SubmitOptions } from '../../sdk/index.js';
import { childPids, startCluster, waitUntil } from '../helpers/cluster.js';
import type { TestCluster, TestWorker } from '../helpers/cluster.js';
import { mulberry32, writeCorpus } from '../helpers/corpus.js';
import { referenceGrep, referenceInvertedIndex, referenceWordCount } from '../helpers/reference.js';
import { collectResults } from '../helpers/job-output.js';
import { readMapOutputIndex } from '../../proto/formats/index.js';

/** The seed is printed so a failing run can be replayed: GROOVE_CHAOS_SEED=N npm test. */
const SEED = Number(process.env['GROOVE_CHAOS_SEED'] ?? 20261126);

interface ChaosJob {
  readonly file: string;
  readonly options: SubmitOptions;
  readonly expected: Map<string, unknown>;
}

/**
 * Every 200-700 ms, SIGKILLs a random live worker (35%, while more than two live; a
 * replacement joins 0.5-1.5 s later, as an operator would restart a host) or one of its pool
 * processes, until stop(). `actions` says what was done.
 */
function killAtRandom(cluster: TestCluster, rnd: () => number): { actions: string[]; stop: () => Promise<void> } {
  let running = true;
  const actions: string[] = [];
  const replacements: Promise<unknown>[] = [];
  const alive = (): TestWorker[] =>
    cluster.workers.filter((w) => w.daemon.process.exitCode === null && w.daemon.process.signalCode === null);
  const loop = (async () => {
    while (running) {
      await new Promise((r) => setTimeout(r, 200 + rnd() * 500));
      if (!running) break;
      const live = alive();
      const victim = live[Math.floor(rnd() * live.length)];
      if (!victim) continue;
      if (rnd() < 0.35 && live.length > 2) {
        victim.daemon.process.kill('SIGKILL');
        actions.push(`kill worker ${victim.id}`);
        // A replacement joins a moment later, as an operator would restart a host.
        const delay = 500 + rnd() * 1000;
        replacements.push(
          new Promise((r) => setTimeout(r, delay)).then(async () => {
            if (running) actions.push(`start worker ${(await cluster.addWorker()).id}`);
          }),
        );
      } else {
        const pool = childPids(victim.daemon.process.pid as number);
        const pid = pool[Math.floor(rnd() * pool.length)];
        if (pid) {
          try {
            process.kill(pid, 'SIGKILL');
            actions.push(`kill pool process ${pid} of ${victim.id}`);
          } catch {
            // it had just exited
          }
        }
      }
    }
  })();
  const stop = async (): Promise<void> => {
    running = false;
    await loop;
    await Promise.allSettled(replacements);
  };
  return { actions, stop };
}

/**
 * Submits the jobs, waits for each and checks its results, running a job again when its
 * results were lost with a worker killed after it ended. Returns the number of such reruns.
 */
async function runToRightAnswers(client: GrooveClient, jobs: readonly ChaosJob[]): Promise<number> {
  let reruns = 0;
  const ids = await Promise.all(jobs.map((j) => client.submit(j.file, j.options)));
  await Promise.all(
    jobs.map(async (job, i) => {
      let id = ids[i] as string;
      for (;;) {
        await client.wait(id);
        try {
          assert.deepEqual(await collectResults(client, id), job.expected, `job ${id} (${job.file})`);
          return;
        } catch (err) {
          // Results live on workers (as in Disco): a worker killed after the job ended takes its
          // part files along, which the master reports; then the job is simply run again.
          if (!/which is lost|it is unreachable/.test(String((err as Error).message))) throw err;
          reruns++;
          id = await client.submit(job.file, job.options);
        }
      }
    }),
  );
  return reruns;
}

describe(`chaos (seed ${SEED})`, () => {
  let cluster: TestCluster;
  let client: GrooveClient;

  before(async () => {
    cluster = await startCluster({
      workers: 4,
      slots: 1,
      masterArgs: ['--worker-timeout', '4', '--retry-backoff-ms', '50', '--speculation-min-ms', '1500'],
    });
    client = new GrooveClient({ master: cluster.master });
  });
  after(async () => {
    client.close();
    await cluster.stop();
  });

  it('runs several jobs to the right answers while workers and pool processes are killed at random', async (t) => {
    t.diagnostic(`chaos seed ${SEED} (replay with GROOVE_CHAOS_SEED=${SEED})`);
    const rnd = mulberry32(SEED);
    const files = writeCorpus(path.join(cluster.dir, 'corpus'), 10, 3000, SEED);
    const base = { inputs: files, chunkSize: 12 * 1024, maxAttempts: 30 };
    const jobs: ChaosJob[] = [
      {
        file: 'test/fixtures/slow-wordcount.ts',
        options: { ...base, partitions: 4, params: { mapSleepMs: '60', reduceSleepMs: '300' } },
        expected: new Map<string, unknown>(referenceWordCount(files)),
      },
      {
        file: 'jobs/grep.ts',
        options: { ...base, partitions: 2, params: { pattern: '^(ka|the)' } },
        expected: new Map<string, unknown>(referenceGrep(files, /^(ka|the)/)),
      },
      {
        file: 'jobs/invertedindex.ts',
        options: { ...base, partitions: 3 },
        expected: new Map<string, unknown>(referenceInvertedIndex(files)),
      },
      {
        file: 'test/fixtures/slow-wordcount.ts',
        options: { ...base, partitions: 3, params: { mapSleepMs: '40', reduceSleepMs: '500' } },
        expected: new Map<string, unknown>(referenceWordCount(files)),
      },
    ];

    const chaos = killAtRandom(cluster, rnd);
    let reruns: number;
    try {
      reruns = await runToRightAnswers(client, jobs);
    } finally {
      await chaos.stop();
    }
    const { actions } = chaos;
    t.diagnostic(`${actions.length} chaos actions, ${reruns} reruns for results lost after their job ended`);
    for (const a of actions) t.diagnostic(a);
    assert.ok(
      actions.filter((a) => a.startsWith('kill worker')).length >= 1,
      `no worker was killed: ${actions.join('; ')}`,
    );
    assert.ok(
      actions.filter((a) => a.startsWith('kill pool')).length >= 3,
      `too few pool processes killed: ${actions.join('; ')}`,
    );
  });

  it('runs jobs to the right answers while the master is killed -9 and restarted, and workers and pool processes too', async (t) => {
    const seed = SEED + 2;
    t.diagnostic(`master-kill seed ${seed} (replay with GROOVE_CHAOS_SEED=${SEED})`);
    const rnd = mulberry32(seed);
    const files = writeCorpus(path.join(cluster.dir, 'master-kill-corpus'), 6, 3000, seed);
    const base = { inputs: files, chunkSize: 12 * 1024, maxAttempts: 30 };
    const jobs: ChaosJob[] = [
      {
        file: 'test/fixtures/slow-wordcount.ts',
        options: { ...base, partitions: 3, params: { mapSleepMs: '150', reduceSleepMs: '400' } },
        expected: new Map<string, unknown>(referenceWordCount(files)),
      },
      {
        file: 'jobs/invertedindex.ts',
        options: { ...base, partitions: 2 },
        expected: new Map<string, unknown>(referenceInvertedIndex(files)),
      },
    ];
    const ids = await Promise.all(jobs.map((j) => client.submit(j.file, j.options)));
    const chaos = killAtRandom(cluster, rnd);
    const masterKills: string[] = [];
    // The master dies twice at chosen points of the first job: once some maps are committed,
    // and once a reduce is; each time a new master takes the same port and journal at once.
    const killer = (async () => {
      const probe = new GrooveClient({ master: cluster.master });
      const phaseReached = (done: (s: { mapsDone: number; reducesDone: number }) => boolean) =>
        waitUntil(
          'the job reached the point of a master kill',
          async () => done(await probe.status(ids[0] as string).catch(() => ({ mapsDone: 0, reducesDone: 0 }))),
          120_000,
        );
      try {
        await phaseReached((s) => s.mapsDone >= 2);
        await cluster.restartMaster();
        masterKills.push('in the map phase');
        await phaseReached((s) => s.reducesDone >= 1);
        await cluster.restartMaster();
        masterKills.push('in the reduce phase');
      } finally {
        probe.close();
      }
    })();
    try {
      await Promise.all(
        ids.map(async (id) => {
          const status = await client.wait(id);
          assert.equal(status.state, 'succeeded', status.error);
        }),
      );
      await killer;
    } finally {
      await chaos.stop();
    }
    for (const a of chaos.actions) t.diagnostic(a);
    assert.deepEqual(masterKills, ['in the map phase', 'in the reduce phase']);
    // The jobs that rode through the kills give the right answers; one whose part file went
    // with a worker killed after it ended (results live on workers, as in Disco) runs again.
    let reruns = 0;
    for (const [i, job] of jobs.entries()) {
      try {
        assert.deepEqual(await collectResults(client, ids[i] as string), job.expected, `job ${ids[i]}`);
      } catch (err) {
        if (!/which is lost|it is unreachable/.test(String((err as Error).message))) throw err;
        reruns += 1 + (await runToRightAnswers(client, [job]));
      }
    }
    t.diagnostic(`${reruns} reruns after the kills`);
  });

  it('runs jobs to the right answers while bytes of map outputs and fetched copies are flipped at random', async (t) => {
    const seed = SEED + 1;
    t.diagnostic(`byte-flip seed ${seed} (replay with GROOVE_CHAOS_SEED=${SEED})`);
    const rnd = mulberry32(seed);
    const files = writeCorpus(path.join(cluster.dir, 'flip-corpus'), 6, 3000, seed);
    const base = { inputs: files, chunkSize: 12 * 1024, maxAttempts: 30 };
    const jobs: ChaosJob[] = [
      {
        file: 'test/fixtures/slow-wordcount.ts',
        options: { ...base, partitions: 4, params: { mapSleepMs: '150', reduceSleepMs: '100' } },
        expected: new Map<string, unknown>(referenceWordCount(files)),
      },
      {
        file: 'jobs/grep.ts',
        options: { ...base, partitions: 2, params: { pattern: '^(ka|the)' } },
        expected: new Map<string, unknown>(referenceGrep(files, /^(ka|the)/)),
      },
    ];
    // Bounded, so the jobs finish: every flip can cost a map its output once more.
    const MAX_FLIPS = 8;
    const flips: string[] = [];
    let running = true;
    // Only this test's jobs: the workers' dirs still hold the outputs of the kill test's jobs,
    // which nothing reads any more, so a flip there could never be detected.
    const ids = await Promise.all(jobs.map((j) => client.submit(j.file, j.options)));
    const flipper = (async () => {
      while (running && flips.length < MAX_FLIPS) {
        await new Promise((r) => setTimeout(r, 100 + rnd() * 200));
        const targets = cluster.workers.flatMap((w) =>
          ids.flatMap((id) => damageable(path.join(w.dataDir, 'jobs', id))),
        );
        const target = targets[Math.floor(rnd() * targets.length)];
        if (!target) continue;
        try {
          const offset = Math.floor(rnd() * target.bytes);
          const fd = fs.openSync(target.file, 'r+');
          try {
            const b = Buffer.alloc(1);
            if (fs.readSync(fd, b, 0, 1, offset) !== 1) continue;
            b[0] = (b[0] as number) ^ (1 << Math.floor(rnd() * 8));
            fs.writeSync(fd, b, 0, 1, offset);
          } finally {
            fs.closeSync(fd);
          }
          flips.push(`flip byte ${offset} of ${path.relative(cluster.dir, target.file)}`);
        } catch {
          // removed meanwhile (a cancelled attempt, a finished reduce)
        }
      }
    })();
    const events: string[] = [];
    try {
      await Promise.all(
        jobs.map(async (job, i) => {
          const id = ids[i] as string;
          for await (const e of client.watch(id)) events.push(`${e.type} ${e.message}`);
          await client.wait(id);
          assert.deepEqual(await collectResults(client, id), job.expected, `job ${id} (${job.file})`);
        }),
      );
    } finally {
      running = false;
      await flipper;
    }
    const detected = events.filter((e) => e.startsWith('fetch-failed ') && /corrupt/.test(e));
    t.diagnostic(
      `${flips.length} flips, ${detected.length} detected as corrupt map outputs (the rest landed in bytes already read)`,
    );
    for (const f of flips) t.diagnostic(f);
    assert.ok(flips.length >= 3, `too few flips: ${flips.join('; ')}`);
    assert.ok(detected.length >= 1, `no flip was detected:\n${events.join('\n')}`);
  });
});

/** Attempt directories (`jobs/<job>/<task>-a<n>`) of one job on these workers. */
function attemptDirs(workers: readonly TestWorker[], jobId: string): string[] {
  return workers.flatMap((w) => {
    try {
      return fs.readdirSync(path.join(w.dataDir, 'jobs', jobId)).map((d) => `${w.id}/${d}`);
    } catch {
      return [];
    }
  });
}

describe('chaos: a flapping link', () => {
  let cluster: TestCluster;
  let client: GrooveClient;

  before(async () => {
    cluster = await startCluster({
      workers: 3,
      slots: 1,
      masterArgs: ['--worker-timeout', '2', '--retry-backoff-ms', '50', '--speculation-min-ms', '60000'],
    });
    client = new GrooveClient({ master: cluster.master });
  });
  after(async () => {
    client.close();
    await cluster.stop();
  });

  it(
    'keeps only the committed attempts of a worker whose link keeps going down and up',
    { timeout: 150_000 },
    async (t) => {
      const files = writeCorpus(path.join(cluster.dir, 'corpus'), 8, 3000, SEED);
      const victim = cluster.workers[0] as TestWorker;
      const pid = victim.daemon.process.pid as number;
      const id = await client.submit('test/fixtures/slow-wordcount.ts', {
        inputs: files,
        partitions: 3,
        chunkSize: 8 * 1024,
        maxAttempts: 30,
        params: { mapSleepMs: '1000', reduceSleepMs: '300' },
      });
      // Down 3 s (past the master's 2 s worker timeout, so it writes the worker off), up 2 s.
      // A frozen daemon is a cut link to everyone: no heartbeats, no answers, TCP still open.
      let flapping = true;
      let flaps = 0;
      const flapper = (async () => {
        const done = client.wait(id).then(() => (flapping = false));
        while (flapping) {
          process.kill(pid, 'SIGSTOP');
          flaps++;
          await new Promise((r) => setTimeout(r, 3000));
          process.kill(pid, 'SIGCONT');
          await Promise.race([new Promise((r) => setTimeout(r, 2000)), done]);
        }
      })();
      const status = await client.wait(id);
      await flapper;
      t.diagnostic(`${flaps} flaps; job ${status.state}, ${status.mapsTotal} maps, ${status.reducesTotal} reduces`);
      assert.equal(status.state, 'succeeded', status.error);
      assert.ok(flaps >= 2, `only ${flaps} flaps`);
      await waitUntil('the flapping worker is back', async () =>
        (await client.workers()).some((w) => w.workerId === victim.id && w.state === 'alive'),
      );
      // Each task has one committed attempt; everything else the flaps left is deleted.
      const committed = status.mapsTotal + status.reducesTotal;
      let dirs: string[] = [];
      await waitUntil(
        `only the ${committed} committed attempt directories are left`,
        () => (dirs = attemptDirs(cluster.workers, id)).length === committed,
        20_000,
      ).catch((err: Error) => {
        throw new Error(`${err.message}; found ${dirs.length}: ${dirs.join(' ')}`);
      });
      assert.deepEqual(await collectResults(client, id), new Map<string, unknown>(referenceWordCount(files)));
    },
  );
});

/** Map outputs (their records) and fetched copies in a job's dir on a worker: what a byte flip may hit. */
function damageable(jobDir: string): { file: string; bytes: number }[] {
  const out: { file: string; bytes: number }[] = [];
  let rels: string[];
  try {
    rels = fs.readdirSync(jobDir, { recursive: true }) as string[];
  } catch {
    // not there yet, or an attempt directory removed during the walk
    return [];
  }
  for (const rel of rels) {
    const file = path.join(jobDir, rel);
    try {
      if (rel.endsWith(`${path.sep}output.data`))
        out.push({ file, bytes: readMapOutputIndex(path.dirname(file)).bytes });
      else if (/fetch-\d+\.data$/.test(rel)) out.push({ file, bytes: fs.statSync(file).size });
    } catch {
      // unfinished, or gone meanwhile
    }
  }
  return out.filter((t) => t.bytes > 0);
}
