/**
 * A real S3-compatible object store on loopback for the tests: OpenStack Swift with its
 * s3api middleware, from Debian (scripts/test-deps.sh installs it). {@link startS3Store}
 * writes the configuration into a temporary directory, builds one-device rings, starts
 * memcached and the four Swift servers on free loopback ports and waits until the proxy
 * answers `/healthcheck` (about 3 s); `stop()` kills them by pid and removes the directory.
 * A watchdog kills them too if the test process dies without stopping them, so no Swift
 * process outlives a test run. One store per test run when scripts/test.sh started one
 * (test/helpers/s3-store-daemon.ts, named by {@link SHARED_S3_STORE_VARIABLE}; each file uses its
 * own buckets), else one per test file.
 *
 * {@link boto} runs an independent client against it (Debian's python3-boto3), to check
 * what Groove's own backend wrote and to put fixtures there without going through it.
 */
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

/** What a test tells the user when the store's programs are missing: never a silent skip. */
const INSTALL_HINT = 'run `bash scripts/test-deps.sh` (as root) to install the packages the tests need';

/** How long the whole start may take, ms (about 3 s alone; much more on a loaded machine). */
const START_TIMEOUT_MS = 90_000;
/** How long building the rings or one boto3 command may take, ms. */
const COMMAND_TIMEOUT_MS = 60_000;

/** The python whose boto3 is Debian's python3-boto3 (a pyenv shim on PATH may lack it). */
const PYTHON = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

/** The store's account: tempauth's `test:tester`. */
export const S3_ACCESS_KEY_ID = 'test:tester';
/**
 * The secret of {@link S3_ACCESS_KEY_ID}: unlike the usual `testing`, one no log could
 * hold by chance, so that tests can grep output for it.
 */
export const S3_SECRET_ACCESS_KEY = `groove-secret-${randomBytes(8).toString('hex')}`;
/** The region s3api reports. */
export const S3_REGION = 'us-east-1';

/** A running store. */
export interface S3Store {
  /** `http://127.0.0.1:PORT`, path-style addressing. */
  readonly endpoint: string;
  readonly region: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /**
   * The AWS_* variables that point a process (mr run, a master, a worker) at this store
   * with its credentials, path style on. Config and credential files are pointed at
   * nothing, so the tester's ~/.aws cannot change what a test sees.
   */
  readonly env: Readonly<Record<string, string>>;
  /** The temporary directory holding the configuration, the objects and the servers' logs. */
  readonly dir: string;
  /** Kills the servers by pid and removes {@link dir}; safe to call twice. */
  stop(): Promise<void>;
}

const SERVERS = ['object', 'container', 'account'] as const;
type Server = (typeof SERVERS)[number];

/** Free loopback ports, all held at once so they differ, then released for the servers to take. */
async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<net.Server>((resolve, reject) => {
          const s = net.createServer();
          s.once('error', reject);
          s.listen(0, '127.0.0.1', () => resolve(s));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

function run(command: string, args: readonly string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, [...args], { cwd, timeout: COMMAND_TIMEOUT_MS }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${command} ${args.join(' ')} failed: ${stderr.trim() || err.message}`));
      else resolve(stdout);
    });
  });
}

/** Refuses, in one line naming the fix, to start without the programs the store needs. */
function checkInstalled(): void {
  const dirs = (process.env['PATH'] ?? '/usr/bin').split(':');
  for (const program of [
    'swift-proxy-server',
    'swift-object-server',
    'swift-container-server',
    'swift-account-server',
    'memcached',
  ]) {
    if (!dirs.some((d) => fs.existsSync(path.join(d, program)))) {
      throw new Error(`the S3 test store needs ${program}, which is not installed: ${INSTALL_HINT}`);
    }
  }
}

function serverConf(kind: Server, root: string, port: number, user: string): string {
  return [
    '[DEFAULT]',
    'bind_ip = 127.0.0.1',
    `bind_port = ${port}`,
    'workers = 0',
    `user = ${user}`,
    `devices = ${root}/node`,
    'mount_check = false',
    'disable_fallocate = true',
    `swift_dir = ${root}/etc`,
    'log_level = WARNING',
    '[pipeline:main]',
    `pipeline = ${kind}-server`,
    `[app:${kind}-server]`,
    `use = egg:swift#${kind}`,
    `[${kind}-replicator]`,
    `[${kind}-updater]`,
    `[${kind}-auditor]`,
    '',
  ].join('\n');
}

/** Filters of the proxy pipeline, besides s3api, tempauth and cache, each configured by name only. */
const PLAIN_FILTERS = [
  'catch_errors',
  'gatekeeper',
  'healthcheck',
  'listing_formats',
  'bulk',
  'tempurl',
  'copy',
  'slo',
  'dlo',
  'versioned_writes',
];

function proxyConf(root: string, port: number, memcachedPort: number, user: string): string {
  const filters = PLAIN_FILTERS.flatMap((f) => [`[filter:${f}]`, `use = egg:swift#${f}`]);
  return [
    '[DEFAULT]',
    'bind_ip = 127.0.0.1',
    `bind_port = ${port}`,
    'workers = 0',
    `user = ${user}`,
    `swift_dir = ${root}/etc`,
    'log_level = WARNING',
    '[pipeline:main]',
    'pipeline = catch_errors gatekeeper healthcheck proxy-logging cache listing_formats bulk tempurl s3api ' +
      'tempauth copy slo dlo versioned_writes proxy-logging proxy-server',
    '[app:proxy-server]',
    'use = egg:swift#proxy',
    'account_autocreate = true',
    'allow_account_management = true',
    '[filter:tempauth]',
    'use = egg:swift#tempauth',
    `user_test_tester = ${S3_SECRET_ACCESS_KEY} .admin`,
    '[filter:s3api]',
    'use = egg:swift#s3api',
    `location = ${S3_REGION}`,
    '[filter:cache]',
    'use = egg:swift#memcache',
    `memcache_servers = 127.0.0.1:${memcachedPort}`,
    '[filter:proxy-logging]',
    'use = egg:swift#proxy_logging',
    ...filters,
    '',
  ].join('\n');
}

/**
 * Builds the one-device, one-replica ring of each server kind with Swift's own RingBuilder,
 * in one python process: three `swift-ring-builder` runs per ring cost a second each.
 */
async function buildRings(etc: string, ports: Readonly<Record<Server, number>>): Promise<void> {
  const script = [
    'import json, sys',
    'from swift.common.ring import RingBuilder',
    'for kind, port in json.loads(sys.argv[1]).items():',
    '    b = RingBuilder(6, 1, 1)',
    "    b.add_dev({'region': 1, 'zone': 1, 'ip': '127.0.0.1', 'port': port, 'device': 'd1', 'weight': 1})",
    '    b.rebalance()',
    "    b.save(kind + '.builder')",
    "    b.get_ring().save(kind + '.ring.gz')",
  ].join('\n');
  await run(PYTHON, ['-c', script, JSON.stringify(ports)], etc);
}

/** Resolves once something accepts connections on `port`, rejects at `deadline` or when `child` exits. */
async function waitForPort(port: number, child: ChildProcess, deadline: number, what: string): Promise<void> {
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${what} exited before it listened`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${what} did not listen on port ${port} in time`);
    // Polling a port that is not open yet: there is no event to wait for from outside.
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function waitForHealthcheck(endpoint: string, proxy: ChildProcess, deadline: number): Promise<void> {
  for (;;) {
    if (proxy.exitCode !== null || proxy.signalCode !== null) throw new Error('swift-proxy-server exited');
    const body = await fetch(`${endpoint}/healthcheck`).then(
      (r) => r.text(),
      () => '',
    );
    if (body === 'OK') return;
    if (Date.now() > deadline) throw new Error(`${endpoint}/healthcheck did not answer OK in time`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Kills `pids` (SIGKILL) and removes `dir` as soon as this process is gone, however it
 * went (even SIGKILL): a detached shell waits on our pid with `tail --pid`.
 */
function startWatchdog(pids: readonly number[], dir: string): ChildProcess {
  const script = 'tail --pid="$1" -f /dev/null; shift; d="$1"; shift; kill -KILL "$@" 2>/dev/null; rm -rf "$d"';
  const dog = spawn('bash', ['-c', script, 'watchdog', String(process.pid), dir, ...pids.map(String)], {
    detached: true,
    stdio: 'ignore',
  });
  dog.unref();
  return dog;
}

/** Kills a server outright: the store is thrown away, so nothing is lost and no grace period is needed. */
function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

/** Tail of the servers' logs, for an error about a start that failed. */
function logTail(dir: string): string {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.log'))
    .map((f) => `${f}: ${fs.readFileSync(path.join(dir, f), 'utf8').slice(-800)}`)
    .join('\n');
}

/** The ports of one store. */
interface StorePorts {
  readonly servers: Readonly<Record<Server, number>>;
  readonly proxy: number;
  readonly memcached: number;
}

/** Writes the servers' configuration and rings under `dir` (etc/ for them, node/d1 for the objects). */
async function writeConfig(dir: string, ports: StorePorts, user: string): Promise<void> {
  const etc = path.join(dir, 'etc');
  fs.mkdirSync(etc);
  fs.mkdirSync(path.join(dir, 'node', 'd1'), { recursive: true });
  for (const kind of SERVERS)
    fs.writeFileSync(path.join(etc, `${kind}-server.conf`), serverConf(kind, dir, ports.servers[kind], user));
  fs.writeFileSync(path.join(etc, 'proxy-server.conf'), proxyConf(dir, ports.proxy, ports.memcached, user));
  // Swift reads swift.conf (the hash path suffix) from swift_dir, not /etc/swift, once told one.
  fs.writeFileSync(path.join(etc, 'swift.conf'), '[swift-hash]\nswift_hash_path_suffix = groove-tests\n');
  await buildRings(etc, ports.servers);
}

/** The store's processes: started with their output in DIR/NAME.log, killed together, once. */
class StoreProcesses {
  private readonly children: ChildProcess[] = [];
  private watchdog: ChildProcess | undefined;
  private stopped = false;
  /** A test file that ends without calling stop() (a failed before()) still kills them. */
  private readonly killNow = (): void => {
    for (const c of this.children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  };

  constructor(readonly dir: string) {
    process.once('exit', this.killNow);
  }

  start(name: string, command: string, args: readonly string[]): ChildProcess {
    const log = fs.openSync(path.join(this.dir, `${name}.log`), 'a');
    const child = spawn(command, [...args], { stdio: ['ignore', log, log] });
    fs.closeSync(log);
    child.on('error', () => undefined);
    this.children.push(child);
    return child;
  }

  /** Arms the watchdog over every process started so far. */
  guard(): void {
    const pids = this.children.map((c) => c.pid).filter((p): p is number => p !== undefined);
    this.watchdog = startWatchdog(pids, this.dir);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    process.removeListener('exit', this.killNow);
    await Promise.all(this.children.map(stopChild));
    if (this.watchdog?.pid !== undefined) {
      try {
        process.kill(-this.watchdog.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Starts memcached and the four servers and resolves once the proxy's /healthcheck says OK. */
async function startServers(procs: StoreProcesses, ports: StorePorts, user: string): Promise<string> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  const etc = path.join(procs.dir, 'etc');
  const memcached = procs.start('memcached', 'memcached', [
    ...(user === 'root' ? ['-u', 'root'] : []),
    ...['-l', '127.0.0.1', '-p', String(ports.memcached), '-U', '0', '-m', '32'],
  ]);
  const servers = SERVERS.map((kind) => ({
    kind,
    child: procs.start(kind, `swift-${kind}-server`, [path.join(etc, `${kind}-server.conf`)]),
  }));
  const proxy = procs.start('proxy', 'swift-proxy-server', [path.join(etc, 'proxy-server.conf')]);
  procs.guard();
  await waitForPort(ports.memcached, memcached, deadline, 'memcached');
  for (const { kind, child } of servers)
    await waitForPort(ports.servers[kind], child, deadline, `swift-${kind}-server`);
  const endpoint = `http://127.0.0.1:${ports.proxy}`;
  await waitForHealthcheck(endpoint, proxy, deadline);
  return endpoint;
}

/**
 * The environment variable naming the JSON file of a store that outlives one test file (the
 * test run's, from test/helpers/s3-store-daemon.ts).
 */
export const SHARED_S3_STORE_VARIABLE = 'GROOVE_TEST_S3_STORE';

/** What a shared store's JSON file holds: the store without its stop(). */
export type S3StoreInfo = Omit<S3Store, 'stop'>;

/** The test run's store, when scripts/test.sh started one; its stop() leaves it to the run. */
function sharedStore(): S3Store | undefined {
  const file = process.env[SHARED_S3_STORE_VARIABLE];
  if (!file || !fs.existsSync(file)) return undefined;
  const info = JSON.parse(fs.readFileSync(file, 'utf8')) as S3StoreInfo;
  return { ...info, stop: () => Promise.resolve() };
}

/**
 * The test run's shared store (see {@link SHARED_S3_STORE_VARIABLE}), else a new one of this
 * process's own ({@link startOwnS3Store}).
 * @throws Error in one line saying to run scripts/test-deps.sh when Swift is not installed.
 */
export async function startS3Store(): Promise<S3Store> {
  checkInstalled();
  return sharedStore() ?? startOwnS3Store();
}

/**
 * Starts a Swift store with s3api on free loopback ports, for this process alone.
 * @throws Error in one line saying to run scripts/test-deps.sh when Swift or memcached is
 *   not installed; Error with the servers' log tails when they do not come up in time.
 */
export async function startOwnS3Store(): Promise<S3Store> {
  checkInstalled();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'groove-s3-'));
  const procs = new StoreProcesses(dir);
  try {
    const [object, container, account, proxy, memcached] = (await freePorts(5)) as [number, ...number[]];
    const ports = { servers: { object, container, account }, proxy, memcached } as StorePorts;
    const user = os.userInfo().username;
    await writeConfig(dir, ports, user);
    const endpoint = await startServers(procs, ports, user);
    return {
      endpoint,
      region: S3_REGION,
      accessKeyId: S3_ACCESS_KEY_ID,
      secretAccessKey: S3_SECRET_ACCESS_KEY,
      env: {
        AWS_ENDPOINT_URL: endpoint,
        AWS_REGION: S3_REGION,
        AWS_ACCESS_KEY_ID: S3_ACCESS_KEY_ID,
        AWS_SECRET_ACCESS_KEY: S3_SECRET_ACCESS_KEY,
        AWS_S3_FORCE_PATH_STYLE: 'true',
        AWS_CONFIG_FILE: path.join(dir, 'no-aws-config'),
        AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'no-aws-credentials'),
      },
      dir,
      stop: () => procs.stop(),
    };
  } catch (err) {
    const tail = fs.existsSync(dir) ? logTail(dir) : '';
    await procs.stop();
    throw new Error(`the S3 test store did not start: ${(err as Error).message}\n${tail}`, { cause: err });
  }
}

/** The boto3 client of the independent checks, built from the JSON `store` argument. */
const BOTO_PRELUDE = `
import base64, json, sys
import boto3
from botocore.config import Config
req = json.load(sys.stdin)
st = req['store']
s3 = boto3.client('s3', endpoint_url=st['endpoint'], region_name=st['region'],
    aws_access_key_id=st['accessKeyId'], aws_secret_access_key=st['secretAccessKey'],
    config=Config(s3={'addressing_style': 'path'}))
a = req['args']
`;

/** The operations of the independent client, each a few lines of python over `s3` and the arguments `a`. */
const BOTO_OPS = {
  createBucket: `s3.create_bucket(Bucket=a['bucket']); out = None`,
  put: `s3.put_object(Bucket=a['bucket'], Key=a['key'], Body=base64.b64decode(a['body'])); out = None`,
  putMany: `
for o in a['objects']: s3.put_object(Bucket=a['bucket'], Key=o['key'], Body=base64.b64decode(o['body']))
out = None`,
  get: `
kw = {'Range': a['range']} if a.get('range') else {}
out = base64.b64encode(s3.get_object(Bucket=a['bucket'], Key=a['key'], **kw)['Body'].read()).decode()`,
  head: `
try:
    h = s3.head_object(Bucket=a['bucket'], Key=a['key'])
    out = {'size': h['ContentLength'], 'etag': h['ETag']}
except s3.exceptions.ClientError as e:
    if e.response['Error']['Code'] not in ('404', 'NoSuchKey', 'NotFound'): raise
    out = None`,
  list: `
out = []
for page in s3.get_paginator('list_objects_v2').paginate(Bucket=a['bucket'], Prefix=a.get('prefix', '')):
    out += [{'key': o['Key'], 'size': o['Size'], 'etag': o['ETag']} for o in page.get('Contents', [])]`,
  uploads: `
r = s3.list_multipart_uploads(Bucket=a['bucket'])
out = [{'key': u['Key'], 'uploadId': u['UploadId']} for u in r.get('Uploads', [])]`,
} as const;

/** What each {@link boto} operation takes and gives. */
export interface BotoOps {
  createBucket: { args: { bucket: string }; out: null };
  put: { args: { bucket: string; key: string; body: Buffer | string }; out: null };
  putMany: { args: { bucket: string; objects: readonly { key: string; body: Buffer | string }[] }; out: null };
  get: { args: { bucket: string; key: string; range?: string }; out: Buffer };
  head: { args: { bucket: string; key: string }; out: { size: number; etag: string } | null };
  list: { args: { bucket: string; prefix?: string }; out: { key: string; size: number; etag: string }[] };
  uploads: { args: { bucket: string }; out: { key: string; uploadId: string }[] };
}

/**
 * One operation of an independent S3 client (python3 boto3, path style) against the
 * store: what Groove's backend wrote is checked with it, and fixtures are put with it.
 * @throws Error with python's stderr when the operation fails.
 */
export function boto<K extends keyof BotoOps>(
  store: S3Store,
  op: K,
  args: BotoOps[K]['args'],
): Promise<BotoOps[K]['out']> {
  const wire = { ...args } as Record<string, unknown>;
  const base64 = (body: Buffer | string): string => Buffer.from(body).toString('base64');
  if ('body' in args) wire['body'] = base64(args.body);
  if ('objects' in args) wire['objects'] = args.objects.map((o) => ({ key: o.key, body: base64(o.body) }));
  const script = `${BOTO_PRELUDE}${BOTO_OPS[op]}\nprint(json.dumps(out))\n`;
  const input = JSON.stringify({ store, args: wire });
  return new Promise((resolve, reject) => {
    const child = execFile(
      PYTHON,
      ['-c', script],
      { timeout: COMMAND_TIMEOUT_MS, maxBuffer: 1 << 30 },
      (err, out, e) => {
        if (err && /No module named 'boto3'/.test(e))
          return reject(new Error(`${PYTHON} has no boto3: ${INSTALL_HINT}`));
        if (err)
          return reject(
            new Error(`boto3 ${op} ${JSON.stringify(wire).slice(0, 200)} failed: ${e.trim() || err.message}`),
          );
        const value = JSON.parse(out) as unknown;
        resolve((op === 'get' ? Buffer.from(value as string, 'base64') : value) as BotoOps[K]['out']);
      },
    );
    child.stdin?.end(input);
  });
}
