import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  createLogger,
  envTokenFile,
  loadSecurity,
  logFormat,
  optionFromFlag,
  parseDuration,
  setLogLevel,
  terminalSafe,
  UserError,
  writeTokenFile,
} from '../../common/index.js';
import type { Security } from '../../proto/wire/index.js';
import { Master, MASTER_OPTION_TABLE, MIN_RETENTION_MS, SUBMIT_OPTION_TABLE } from '../../master/index.js';
import { WORKER_OPTION_TABLE, WorkerDaemon } from '../../worker/index.js';
import { GrooveClient } from '../client.js';
import type { JobStatus, SubmitOptions } from '../client.js';
import type { WatchOptions } from '../reconnecting-watch.js';
import { EmbeddedCluster } from '../embedded-cluster.js';
import { packJobFile } from '../job-bundler.js';
import type { PackedJob } from '../job-bundler.js';
import { expandInputs } from '../input-expander.js';
import { checkOutputDir } from '../output-dir.js';
import { writeResults } from '../result-format.js';
import { isUrl } from '../../storage/index.js';
import type { ResultFormat } from '../../proto/formats/index.js';
import { parseParams } from './parse-args.js';
import { jobProgress } from './progress.js';
import { watchOptionsOf } from './reconnect-flag.js';
import type { JobProgress } from './progress-bars.js';
import { progressBars } from './progress-bars.js';
import { countersTable, jobsTable, locationsTable, workersTable } from './cluster-tables.js';
import { jsonLine, jsonText } from './json-output.js';
import type { FlagValue } from './table-flag.js';
import { atExit, cleanupOnSignals } from './exit-cleanup.js';
import { trustCaFile } from './http-ca.js';
import { UsageError } from './usage-error.js';
import { taskLogText, unavailableText, withFailureTail } from './task-log-lines.js';

/** Security options every cluster command takes. */
export interface SecurityArgs {
  readonly tokenFile?: string;
  readonly tlsCert?: string;
  readonly tlsKey?: string;
  readonly tlsCa?: string;
  readonly tlsClientAuth?: boolean;
}

function securityOf(args: SecurityArgs): Security {
  return loadSecurity(
    {
      tokenFile: args.tokenFile,
      tlsCert: args.tlsCert,
      tlsKey: args.tlsKey,
      tlsCa: args.tlsCa,
      tlsClientAuth: args.tlsClientAuth,
    },
    createLogger('cli'),
  );
}

/** Options every job-submitting command shares. */
export interface JobArgs {
  readonly job: string;
  readonly input: readonly string[];
  readonly partitions?: FlagValue;
  readonly param?: readonly string[];
  readonly chunkSize?: FlagValue;
  readonly sortBufferMb?: FlagValue;
  readonly maxAttempts?: FlagValue;
  readonly speculation?: boolean;
  readonly allowEmpty?: boolean;
  readonly packInputs?: boolean;
}

function submitOptions(args: JobArgs): SubmitOptions {
  // Option values first, inputs last: a bad value is a usage error whatever the inputs.
  // The master checks them again, against the same table (SUBMIT_OPTION_TABLE).
  const t = SUBMIT_OPTION_TABLE;
  const checked = {
    maxAttempts: optionFromFlag(t.maxAttempts, args.maxAttempts),
    speculation: args.speculation,
    partitions: optionFromFlag(t.partitions, args.partitions),
    params: parseParams(args.param),
    chunkSize: optionFromFlag(t.chunkSize, args.chunkSize),
    sortBufferBytes: optionFromFlag(t.sortBufferBytes, args.sortBufferMb),
    allowEmpty: args.allowEmpty === true,
    packInputs: args.packInputs !== false,
  };
  return { ...checked, inputs: expandInputs(args.input, process.cwd(), checked.allowEmpty) };
}

/** `mr run`: the job on an embedded master and worker, results to stdout or --output. */
export async function runCommand(
  args: JobArgs & { slots?: FlagValue; ca?: string; output?: string; overwrite?: boolean; format: ResultFormat },
): Promise<void> {
  // Check everything the user gave before starting anything.
  const slots = optionFromFlag(WORKER_OPTION_TABLE.slots, args.slots);
  trustCaFile(args.ca);
  const options = { ...submitOptions(args), ...storeOutput(args) };
  if (args.output !== undefined && !isUrl(args.output)) checkOutputDir(args.output, args.overwrite === true);
  // The job's outcome is reported once, by this command; the embedded daemons stay quiet.
  setLogLevel('error');
  // However this ends (Ctrl-C, SIGTERM, the reader of stdout going away), the embedded
  // cluster stops and its temporary data dir goes with it.
  const restoreSignals = cleanupOnSignals();
  let forgetCluster = (): void => undefined;
  try {
    // Bundle the job while the cluster starts (esbuild works in its own process, the pool
    // processes boot in theirs); a job file that does not bundle still stops everything.
    const starting = EmbeddedCluster.start({ slots }).then((c) => {
      forgetCluster = atExit(() => c.stop());
      return c;
    });
    const [bundled, started] = await Promise.allSettled([packJobFile(args.job), starting]);
    if (bundled.status === 'rejected' || started.status === 'rejected') {
      if (started.status === 'fulfilled') await started.value.stop();
      throw bundled.status === 'rejected' ? bundled.reason : (started as PromiseRejectedResult).reason;
    }
    await runOnCluster(bundled.value, started.value, options, args);
  } finally {
    forgetCluster();
    restoreSignals();
  }
}

async function runOnCluster(
  packed: PackedJob,
  cluster: EmbeddedCluster,
  options: SubmitOptions,
  args: { output?: string; overwrite?: boolean; format: ResultFormat },
): Promise<void> {
  const client = new GrooveClient({
    master: cluster.masterAddress,
    security: cluster.security,
    localDataDirs: cluster.localDataDirs,
  });
  try {
    // The same result path as a cluster's: the reducers write part files, and they are read
    // back (from this host's disk, through the storage seam) the way `mr results` reads them.
    const jobId = await client.submitPacked(packed, options);
    // Bars on a terminal; without one (a script, a log) the counters at the end are the record.
    const bars = process.stderr.isTTY ? progressBars(process.stderr) : undefined;
    // A failed job's error comes with its failed attempt's last log lines, read before the cluster stops.
    const status = await withFailureTail(client, jobId, () => waitWith(client, jobId, bars), false);
    // On stderr, the results' stream being stdout.
    process.stderr.write(countersTable(status.counters));
    // Results committed to a store are where they belong already.
    if (options.output !== undefined) return;
    await writeResults(client, jobId, args.format, { outputDir: args.output, overwrite: args.overwrite });
  } finally {
    client.close();
    await cluster.stop();
  }
}

/** Waits for the job, its progress shown by `progress` (if any), which is left clean however the wait ends. */
async function waitWith(
  client: GrooveClient,
  jobId: string,
  progress?: JobProgress,
  watch?: WatchOptions,
): Promise<JobStatus> {
  try {
    return await client.wait(jobId, progress?.onEvent, watch);
  } finally {
    progress?.done();
  }
}

/**
 * The submit options of `--output URL` (a storage URL: the master commits the results
 * there); none for a plain directory, which `mr run` writes itself.
 */
function storeOutput(args: { output?: string; overwrite?: boolean; format: ResultFormat }): Partial<SubmitOptions> {
  if (args.output === undefined || !isUrl(args.output)) return {};
  return { output: args.output, format: args.format, overwrite: args.overwrite === true };
}

/** `mr submit`: prints the job id first; with --wait, progress on stderr and the exit status of the job. */
export async function submitCommand(
  args: JobArgs &
    SecurityArgs & {
      master: string;
      wait: boolean;
      reconnectTimeout?: string;
      output?: string;
      overwrite?: boolean;
      format: ResultFormat;
    },
): Promise<void> {
  if (args.output !== undefined && !isUrl(args.output))
    throw new UserError(
      `--output ${JSON.stringify(args.output)}: mr submit writes to a storage URL (s3://BUCKET/PREFIX/, file:///abs/dir/); for a local directory use mr results --output DIR`,
    );
  const options = { ...submitOptions(args), ...storeOutput(args) };
  const watch = watchOptionsOf(args.reconnectTimeout);
  const security = securityOf(args);
  const packed = await packJobFile(args.job);
  const client = new GrooveClient({ master: args.master, security });
  try {
    const jobId = await client.submitPacked(packed, options);
    process.stdout.write(`${jobId}\n`);
    if (args.wait) await withFailureTail(client, jobId, () => waitWith(client, jobId, jobProgress(), watch));
  } finally {
    client.close();
  }
}

/** Runs fn with a client and closes it. */
async function withClient<T>(
  args: SecurityArgs & { master: string },
  fn: (client: GrooveClient) => Promise<T>,
): Promise<T> {
  const client = new GrooveClient({ master: args.master, security: securityOf(args) });
  try {
    return await fn(client);
  } finally {
    client.close();
  }
}

function statusLines(s: JobStatus): string {
  return terminalSafe(statusText(s), true);
}

function statusText(s: JobStatus): string {
  const lines = [
    `job       ${s.jobId}`,
    `name      ${s.name}`,
    `state     ${s.state}`,
    ...(s.stages ? [`stage     ${s.stage}/${s.stages} (maps and reduces are this stage's)`] : []),
    `maps      ${s.mapsDone}/${s.mapsTotal}`,
    s.mapOnly ? 'reduces   none (map-only job: no reduce phase)' : `reduces   ${s.reducesDone}/${s.reducesTotal}`,
    `submitted ${new Date(s.submittedAt).toISOString()}`,
  ];
  if (s.finishedAt)
    lines.push(
      `finished  ${new Date(s.finishedAt).toISOString()} (${((s.finishedAt - s.submittedAt) / 1000).toFixed(1)} s)`,
    );
  if (s.mapsWithLocality)
    lines.push(`locality  ${s.mapsLocal} of ${s.mapsWithLocality} maps ran on the worker holding their input`);
  lines.push(`attempts  ${s.failedAttempts} failed, ${s.speculativeAttempts} backup (limit ${s.maxAttempts} per task)`);
  if (s.outputUrl) lines.push(`output    ${s.outputUrl} (${s.outputFormat || 'text'})`);
  if (s.error) lines.push(`error     ${s.error}`);
  // The failing attempt's stack: the user asked for the status, so the detail is theirs.
  if (s.errorDetail) lines.push(...s.errorDetail.split('\n').map((l) => `          ${l}`));
  for (const [name, value] of Object.entries(s.counters).sort()) lines.push(`counter   ${name} = ${value}`);
  return lines.join('\n') + '\n';
}

/** `mr wait JOB`. */
export function waitCommand(
  args: SecurityArgs & { master: string; job: string; reconnectTimeout?: string },
): Promise<void> {
  const watch = watchOptionsOf(args.reconnectTimeout);
  return withClient(args, async (c) => {
    const s = await waitWith(c, args.job, jobProgress(), watch);
    process.stdout.write(`${s.jobId} ${s.state}\n`);
  });
}

/** `mr status JOB [--json]`. */
export function statusCommand(args: SecurityArgs & { master: string; job: string; json?: boolean }): Promise<void> {
  return withClient(args, async (c) => {
    const s = await c.status(args.job);
    process.stdout.write(args.json ? jsonText(s) : statusLines(s));
  });
}

/** `mr events JOB [--json]`: the job's history, following it until it ends (with --json, a JobEvent a line). */
export function eventsCommand(
  args: SecurityArgs & { master: string; job: string; json?: boolean; reconnectTimeout?: string },
): Promise<void> {
  const watch = watchOptionsOf(args.reconnectTimeout);
  return withClient(args, async (c) => {
    for await (const e of c.watch(args.job, watch))
      process.stdout.write(
        args.json ? jsonLine(e) : `${new Date(e.time).toISOString()} ${e.type} ${terminalSafe(e.message)}\n`,
      );
  });
}

/**
 * `mr logs JOB [--task ID] [--follow] [--json]`: what job code logged, a line each naming
 * its task and attempt, on stdout; logs that cannot be read (a lost worker) are one line
 * each on stderr. With --follow it goes on until the job ends.
 */
export function logsCommand(
  args: SecurityArgs & { master: string; job: string; task?: string; follow?: boolean; json?: boolean },
): Promise<void> {
  return withClient(args, async (c) => {
    for await (const line of c.taskLogs(args.job, { task: args.task, follow: args.follow === true })) {
      if (args.json) process.stdout.write(jsonLine(line));
      else if (line.unavailable) process.stderr.write(unavailableText(line));
      else process.stdout.write(taskLogText(line));
    }
  });
}

/** `mr results JOB [--locations [--json]]`. */
export function resultsCommand(
  args: SecurityArgs & {
    master: string;
    job: string;
    format: ResultFormat;
    output?: string;
    overwrite?: boolean;
    locations?: boolean;
    json?: boolean;
  },
): Promise<void> {
  if (args.json && !args.locations)
    throw new UsageError('--json goes with --locations (for results as JSON, use --format jsonl)');
  if (args.locations) {
    if (args.output !== undefined) throw new UsageError('--locations prints where the results are: drop --output');
    return withClient(args, async (c) => {
      const where = await c.resultLocations(args.job);
      process.stdout.write(args.json ? jsonText(where) : locationsTable(where));
    });
  }
  if (args.output !== undefined) checkOutputDir(args.output, args.overwrite === true);
  return withClient(args, async (c) => {
    // Ctrl-C while part files are written: the hidden directory they go into is removed on the way out.
    const restoreSignals = args.output !== undefined ? cleanupOnSignals() : () => undefined;
    try {
      await writeResults(c, args.job, args.format, { outputDir: args.output, overwrite: args.overwrite });
    } finally {
      restoreSignals();
    }
  });
}

/**
 * `mr kill JOB`: stops a running job. One that had already ended is left as it is, and the
 * line says so (exit 0 still: what was asked, that the job not run, holds).
 */
export function killCommand(args: SecurityArgs & { master: string; job: string }): Promise<void> {
  return withClient(args, async (c) => {
    const before = await c.status(args.job);
    // The job may also end between the two calls: then the kill finds it ended.
    const after = before.state === 'running' ? await c.kill(args.job) : before;
    const ended = before.state !== 'running' || after.state !== 'killed';
    process.stdout.write(
      ended ? `${after.jobId} had already ended (${after.state}); nothing to kill\n` : `${after.jobId} killed\n`,
    );
  });
}

/** `mr purge JOB`. */
export function purgeCommand(args: SecurityArgs & { master: string; job: string }): Promise<void> {
  return withClient(args, async (c) => {
    await c.purge(args.job);
    process.stdout.write(`${args.job} purged\n`);
  });
}

/** `mr jobs [--json]`: an aligned table, a row per job (with --json, the JobStatus list). */
export function jobsCommand(args: SecurityArgs & { master: string; json?: boolean }): Promise<void> {
  return withClient(args, async (c) => {
    const jobs = await c.jobs();
    process.stdout.write(args.json ? jsonText(jobs) : jobsTable(jobs));
  });
}

/** `mr workers [--json]`: an aligned table, a row per worker (with --json, the WorkerInfo list). */
export function workersCommand(args: SecurityArgs & { master: string; json?: boolean }): Promise<void> {
  return withClient(args, async (c) => {
    const workers = await c.workers();
    process.stdout.write(args.json ? jsonText(workers) : workersTable(workers));
  });
}

/** Keeps a daemon running until SIGINT or SIGTERM, then stops it (SIGTERM may mean something gentler). */
function untilSignal(stop: () => Promise<void>, onTerm: () => Promise<void> = stop): Promise<void> {
  return new Promise<void>((resolve) => {
    let stopping = false;
    const handler = (how: () => Promise<void>) => (): void => {
      // A second signal while stopping means "now".
      if (stopping) process.exit(1);
      stopping = true;
      void how().finally(resolve);
    };
    process.on('SIGINT', handler(stop));
    process.on('SIGTERM', handler(onTerm));
  });
}

/**
 * The master's first line: the address it is bound to (0.0.0.0 when it is, not the
 * loopback address clients on its host may use), the status page and where its token is from.
 */
export function masterStartedLine(
  host: string,
  address: string,
  httpPort: number | undefined,
  tokenFile: string | undefined,
): string {
  const port = address.slice(address.lastIndexOf(':') + 1);
  const bound = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  const status = httpPort !== undefined ? `, status page on port ${httpPort}` : '';
  return `groove master listening on ${bound}${status}${tokenFile ? `, cluster token from ${tokenFile}` : ''}`;
}

/**
 * A daemon's first line, the one scripts wait for: as it is, or with GROOVE_LOG_FORMAT=json
 * as a JSON log line like all the others (its message the same text), so a log collector
 * reads every line.
 */
function announce(component: string, line: string, fields: Record<string, string> = {}): void {
  if (logFormat() === 'json') createLogger(component, 'info').info(line, fields);
  else process.stderr.write(`${line}\n`);
}

/** `mr master`. */
export async function masterCommand(
  args: SecurityArgs & {
    insecure: boolean;
    ca?: string;
    host: string;
    port?: FlagValue;
    httpPort?: FlagValue;
    dataDir?: string;
    workerTimeout?: FlagValue;
    maxAttempts?: FlagValue;
    speculationMinMs?: FlagValue;
    retryBackoffMs?: FlagValue;
    localityWait?: FlagValue;
    retention?: string;
  },
): Promise<void> {
  const t = MASTER_OPTION_TABLE;
  // Every value is checked (and named as typed) before anything starts.
  const options = {
    host: args.host,
    port: optionFromFlag(t.port, args.port),
    httpPort: optionFromFlag(t.httpPort, args.httpPort),
    dataDir: args.dataDir ?? path.join(os.homedir(), '.groove', 'master'),
    workerTimeoutMs: optionFromFlag(t.workerTimeoutMs, args.workerTimeout),
    maxAttempts: optionFromFlag(t.maxAttempts, args.maxAttempts),
    speculationMinMs: optionFromFlag(t.speculationMinMs, args.speculationMinMs),
    retryBackoffMs: optionFromFlag(t.retryBackoffMs, args.retryBackoffMs),
    localityWaitMs: optionFromFlag(t.localityWaitMs, args.localityWait),
    retentionMs:
      args.retention === undefined ? undefined : parseDuration('retention', args.retention, MIN_RETENTION_MS),
  };
  trustCaFile(args.ca);
  setLogLevel('info');
  const master = await Master.start({
    ...options,
    security: securityOf(args),
    insecure: args.insecure,
  });
  announce('master', masterStartedLine(args.host, master.address, master.httpPort, args.tokenFile));
  await untilSignal(() => master.stop());
  // A connection to a peer that vanished can hold the event loop open for minutes; the
  // daemon is done, so exit rather than linger.
  process.exit(0);
}

/** `mr worker`. */
export async function workerCommand(
  args: SecurityArgs & {
    insecure: boolean;
    ca?: string;
    runAs?: string;
    master: string;
    host: string;
    port?: FlagValue;
    bulkPort?: FlagValue;
    httpPort?: FlagValue;
    advertise?: string;
    slots?: FlagValue;
    dataDir?: string;
    taskTimeout?: FlagValue;
    taskMemoryMb?: FlagValue;
    drainTimeout?: FlagValue;
  },
): Promise<void> {
  const t = WORKER_OPTION_TABLE;
  // Every value is checked (and named as typed) before anything starts.
  const options = {
    master: args.master,
    host: args.host,
    port: optionFromFlag(t.port, args.port),
    bulkPort: optionFromFlag(t.bulkPort, args.bulkPort),
    httpPort: optionFromFlag(t.httpPort, args.httpPort),
    advertise: args.advertise,
    slots: optionFromFlag(t.slots, args.slots),
    dataDir: args.dataDir ?? path.join(os.homedir(), '.groove', 'worker'),
    taskTimeoutMs: optionFromFlag(t.taskTimeoutMs, args.taskTimeout),
    taskMemoryMb: optionFromFlag(t.taskMemoryMb, args.taskMemoryMb),
    drainTimeoutMs: optionFromFlag(t.drainTimeoutMs, args.drainTimeout),
  };
  trustCaFile(args.ca);
  setLogLevel('info');
  const worker = await WorkerDaemon.start({
    ...options,
    security: securityOf(args),
    insecure: args.insecure,
    runAs: args.runAs,
  });
  const metrics = worker.httpPort === undefined ? '' : `, metrics on port ${worker.httpPort}`;
  announce(
    'worker',
    `groove worker ${worker.workerId} serving data on ${worker.dataAddress}, ${worker.options.slots} slots, master ${args.master}${metrics}`,
    { worker: worker.workerId },
  );
  // SIGTERM drains (finish or hand back running tasks); SIGINT stops at once. A worker the
  // master refuses (a configuration error) has stopped itself: say why and exit non-zero.
  const refused = await Promise.race([
    untilSignal(
      () => worker.stop(),
      () => worker.drain(),
    ).then(() => undefined),
    worker.refused,
  ]);
  if (refused) {
    process.stderr.write(`mr: ${refused.message}\n`);
    process.exit(1);
  }
  process.exit(0);
}

/** The default place of the cluster token written by `mr token`. */
export const DEFAULT_TOKEN_FILE = path.join(os.homedir(), '.groove', 'token');

/**
 * The token file a cluster command uses when `--token-file` is not given: env
 * MR_TOKEN_FILE (empty: none), else the file `mr token` writes by default if it exists,
 * else none (as before tokens had a default place).
 */
export function defaultTokenFile(): string | undefined {
  const env = envTokenFile();
  if (env !== undefined) return env;
  return fs.existsSync(DEFAULT_TOKEN_FILE) ? DEFAULT_TOKEN_FILE : undefined;
}

/** `mr token [FILE]`: writes a fresh random cluster token, readable by its owner only. */
export function tokenCommand(args: { file?: string; force: boolean }): Promise<void> {
  const file = path.resolve(args.file ?? DEFAULT_TOKEN_FILE);
  if (fs.existsSync(file) && !args.force)
    throw new UserError(`${file} exists; pass --force to replace it (every process of the cluster needs the new one)`);
  writeTokenFile(file);
  process.stdout.write(`${file}\n`);
  process.stderr.write(
    `wrote a new cluster token to ${file} (mode 0600); give it to the master, the workers and clients with --token-file ${file} or MR_TOKEN_FILE${file === DEFAULT_TOKEN_FILE ? ' (on this host, every mr command reads this file when neither is given)' : ''}\n`,
  );
  return Promise.resolve();
}
