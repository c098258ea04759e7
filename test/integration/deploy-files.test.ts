import { before, describe, it } from 'node:test';
import type { TestContext } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { MR, ROOT, runMr } from '../helpers/cli.js';

/**
 * The deployment files (Dockerfile, compose.yaml, deploy/k8s/, deploy/systemd/) cannot be
 * run here (no Docker engine, no Kubernetes, systemd not PID 1), so they are checked by
 * construction: parsed, and every `mr` command line in them checked against the flags `mr`
 * really has, every port against the probes and services that use it, every token against
 * the rule that it travels as a file.
 */

/** The flags `mr COMMAND` takes, read from its --help. */
async function flagsOf(command: string): Promise<Set<string>> {
  const r = await runMr([command, '--help']);
  assert.equal(r.code, 0, r.stderr);
  return new Set([...r.stdout.matchAll(/(?:^|\s)--([a-z][a-z-]*)/g)].map((m) => m[1] as string));
}

/** An `mr` command line's flags and their values (`--a=1`, `--a 1`, `--flag`). */
function flagValues(args: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (!arg.startsWith('--')) continue;
    const eq = arg.indexOf('=');
    if (eq > 0) out.set(arg.slice(2, eq), arg.slice(eq + 1));
    else if (args[i + 1] !== undefined && !(args[i + 1] as string).startsWith('--'))
      out.set(arg.slice(2), args[++i] as string);
    else out.set(arg.slice(2), 'true');
  }
  return out;
}

/** Checks that `args` (an `mr` command line without `mr`) is a real command with real flags; returns its flags. */
function checkCommandLine(args: readonly string[], flags: ReadonlyMap<string, Set<string>>, where: string) {
  const command = args[0] as string;
  const known = flags.get(command);
  assert.ok(known, `${where}: mr ${command} is not one of the commands checked`);
  const values = flagValues(args.slice(1));
  for (const flag of values.keys())
    assert.ok(known.has(flag.replace(/^no-/, '')), `${where}: mr ${command} has no --${flag}`);
  const positional = args.slice(1).filter((a, i, all) => !a.startsWith('--') && !(all[i - 1] ?? '').startsWith('--'));
  assert.deepEqual(positional, [], `${where}: stray arguments`);
  return values;
}

function read(file: string): string {
  return fs.readFileSync(path.join(ROOT, file), 'utf8');
}

/** A systemd unit's sections, each key with every value it was given (in order). */
function parseUnit(text: string): Map<string, Map<string, string[]>> {
  const sections = new Map<string, Map<string, string[]>>();
  let current: Map<string, string[]> | undefined;
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) return;
    const section = /^\[([A-Za-z]+)\]$/.exec(line);
    if (section) {
      current = new Map();
      sections.set(section[1] as string, current);
      return;
    }
    const kv = /^([A-Za-z][A-Za-z0-9]*)=(.*)$/.exec(line);
    assert.ok(kv && current, `line ${i + 1} is neither a section nor KEY=VALUE in a section: ${raw}`);
    const values = current.get(kv[1] as string) ?? [];
    values.push(kv[2] as string);
    current.set(kv[1] as string, values);
  });
  return sections;
}

interface Container {
  args: string[];
  ports?: { name?: string; containerPort: number }[];
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: unknown; fieldRef?: unknown } }[];
  readinessProbe?: { grpc?: { port: number } };
  livenessProbe?: { grpc?: { port: number } };
  volumeMounts?: { name: string; mountPath: string }[];
  securityContext?: { allowPrivilegeEscalation?: boolean };
}

interface PodSpec {
  containers: Container[];
  volumes?: { name: string; secret?: { secretName: string } }[];
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
}

interface K8sObject {
  kind: string;
  metadata: { name: string };
  spec: {
    selector?: Record<string, unknown>;
    template?: { metadata: { labels: Record<string, string> }; spec: PodSpec };
    ports?: { name: string; port: number; targetPort: string | number }[];
  };
}

describe('the deployment files', () => {
  const flags = new Map<string, Set<string>>();
  before(async () => {
    for (const c of ['master', 'worker', 'submit', 'jobs']) flags.set(c, await flagsOf(c));
    assert.ok(flags.get('worker')?.has('bulk-port'), 'the help is read');
  });

  it('the Dockerfile builds in one stage and runs as a non-root user in another', () => {
    const text = read('Dockerfile').replace(/\\\n/g, ' ');
    const lines = text.split('\n').filter((l) => l.trim() && !l.trim().startsWith('#'));
    const stages: string[][] = [];
    for (const line of lines) {
      if (/^FROM\s/i.test(line)) stages.push([]);
      stages.at(-1)?.push(line.trim());
    }
    assert.ok(stages.length >= 2, 'multi-stage');
    const build = stages[0] as string[];
    const runtime = stages.at(-1) as string[];
    assert.match(build[0] as string, /^FROM \S+ AS build$/i);
    assert.ok(
      build.some((l) => /^RUN npm ci\b/.test(l)),
      'the build stage runs npm ci',
    );
    assert.ok(
      build.some((l) => /^RUN .*npm run build/.test(l)),
      'the build stage builds',
    );
    assert.ok(
      build.some((l) => /npm prune --omit=dev/.test(l)),
      'only production modules go on',
    );
    assert.ok(!runtime.some((l) => /^RUN .*npm (ci|install)/.test(l)), 'the runtime stage installs nothing');

    const users = runtime.filter((l) => /^USER\s/i.test(l));
    assert.equal(users.length, 1, 'one USER in the runtime stage');
    const user = (users[0] as string).split(/\s+/)[1]?.split(':')[0] as string;
    assert.ok(!['root', '0'].includes(user), `runs as ${user}`);
    const created = runtime.find((l) => /useradd/.test(l)) ?? '';
    assert.match(created, new RegExp(`useradd .*--uid (\\d+) .*\\b${user}\\b`), 'the user is made in the image');
    assert.notEqual(/--uid (\d+)/.exec(created)?.[1], '0');

    // Everything the package ships (package.json "files") that mr runs is copied from the build.
    const copied = runtime.filter((l) => /^COPY --from=build /.test(l)).map((l) => l.split(/\s+/)[2] as string);
    const pkg = JSON.parse(read('package.json')) as { files: string[] };
    // All but the documentation: the web UI's files (web/) are served by the master.
    const shipped = pkg.files.filter((f) => f !== 'README.md' && f !== 'docs/');
    for (const f of [...shipped, 'node_modules', 'package.json'])
      assert.ok(
        copied.some((c) => c.replace(/^\/src\//, '').replace(/\/$/, '') === f.replace(/\/$/, '')),
        `${f} is not copied`,
      );
    assert.match(runtime.find((l) => /^ENTRYPOINT/.test(l)) ?? '', /\["mr"\]/);
    assert.match(read('.dockerignore'), /^groove-token$/m, 'the token never goes into an image');
  });

  it('compose.yaml runs a master and three workers with real flags and the token from a secret file', () => {
    const compose = parse(read('compose.yaml'), { merge: true }) as {
      services: Record<
        string,
        {
          command?: string[];
          secrets?: string[];
          environment?: Record<string, string>;
          volumes?: string[];
          hostname?: string;
          profiles?: string[];
        }
      >;
      secrets: Record<string, { file?: string; environment?: string }>;
    };
    const secretNames = Object.keys(compose.secrets);
    for (const [name, s] of Object.entries(compose.secrets)) {
      assert.ok(s.file, `secret ${name} is a file`);
      assert.equal(s.environment, undefined);
    }
    const daemons = Object.entries(compose.services).filter(([, s]) => !s.profiles);
    const masters = daemons.filter(([, s]) => s.command?.[0] === 'master');
    const workers = daemons.filter(([, s]) => s.command?.[0] === 'worker');
    assert.equal(masters.length, 1, 'one master');
    assert.equal(workers.length, 3, 'three workers');
    const [masterName, master] = masters[0] as [string, (typeof daemons)[0][1]];
    const masterFlags = checkCommandLine(master.command as string[], flags, `service ${masterName}`);
    const advertised = new Set<string>();
    for (const [name, service] of Object.entries(compose.services)) {
      const where = `service ${name}`;
      const values = service.command ? checkCommandLine(service.command, flags, where) : new Map<string, string>();
      // The token goes as a file from the compose secret: never as a value anywhere.
      const tokenFile = values.get('token-file') ?? service.environment?.MR_TOKEN_FILE;
      assert.ok(tokenFile, `${where} has no token file`);
      const secret = /^\/run\/secrets\/([\w-]+)$/.exec(tokenFile)?.[1];
      assert.ok(secret && secretNames.includes(secret), `${where}: token file ${tokenFile} is not a compose secret`);
      assert.ok(service.secrets?.includes(secret), `${where} does not mount secret ${secret}`);
      for (const key of Object.keys(service.environment ?? {}))
        assert.ok(['MR_MASTER', 'MR_TOKEN_FILE'].includes(key), `${where}: environment ${key}`);
      // Inputs are read by the master and the workers at the same path.
      assert.ok(service.volumes?.includes('./data:/data:ro'), `${where} does not see /data`);
      if (service.command?.[0] !== 'worker') continue;
      assert.equal(values.get('master'), `${masterName}:${masterFlags.get('port') ?? ''}`, `${where}: --master`);
      assert.equal(values.get('advertise'), service.hostname, `${where} advertises another name`);
      assert.match(values.get('port') ?? '', /^\d+$/, `${where}: a fixed --port`);
      advertised.add(values.get('advertise') as string);
    }
    assert.equal(advertised.size, 3, 'each worker advertises its own name');
  });

  it('the Kubernetes manifests probe grpc.health.v1 on the real gRPC ports and mount the token Secret', () => {
    const dir = path.join(ROOT, 'deploy', 'k8s');
    const kustomization = parse(read('deploy/k8s/kustomization.yaml')) as { resources: string[] };
    const objects = kustomization.resources.flatMap((file) =>
      parseAllDocuments(fs.readFileSync(path.join(dir, file), 'utf8')).map((d) => {
        assert.deepEqual(d.errors, [], file);
        return d.toJS() as K8sObject;
      }),
    );
    const pods = objects.filter((o) => ['Deployment', 'DaemonSet', 'StatefulSet'].includes(o.kind));
    const podOf = (command: string) => {
      const found = pods.filter((o) => o.spec.template?.spec.containers[0]?.args[0] === command);
      assert.equal(found.length, 1, `one workload runs mr ${command}`);
      return found[0] as K8sObject;
    };
    const master = podOf('master');
    const worker = podOf('worker');
    const service = objects.find((o) => o.kind === 'Service') as K8sObject;
    const masterContainer = master.spec.template?.spec.containers[0] as Container;
    const masterPort = Number(flagValues(masterContainer.args.slice(1)).get('port'));
    // The Service reaches the master's gRPC port, and selects the master's pods.
    const grpcPort = service.spec.ports?.find((p) => p.name === 'grpc');
    const target = masterContainer.ports?.find(
      (p) => p.name === grpcPort?.targetPort || p.containerPort === grpcPort?.targetPort,
    );
    assert.equal(target?.containerPort, masterPort, 'the Service targets the gRPC port');
    const labels = master.spec.template?.metadata.labels ?? {};
    for (const [k, v] of Object.entries((service.spec.selector ?? {}) as Record<string, string>))
      assert.equal(labels[k], v, `the Service selects the master's pods (${k})`);

    for (const workload of [master, worker]) {
      const pod = workload.spec.template?.spec as PodSpec;
      const c = pod.containers[0] as Container;
      const where = `${workload.kind} ${workload.metadata.name}`;
      const values = checkCommandLine(c.args, flags, where);
      const port = Number(values.get('port'));
      assert.ok(port > 0, `${where}: a fixed --port`);
      assert.equal(c.readinessProbe?.grpc?.port, port, `${where}: readiness on grpc.health.v1 at --port`);
      assert.equal(c.livenessProbe?.grpc?.port, port, `${where}: liveness on grpc.health.v1 at --port`);
      assert.ok(
        c.ports?.some((p) => p.containerPort === port),
        `${where}: port ${port} declared`,
      );
      // The token: a file from the Secret's volume, never an environment variable.
      const tokenFile = values.get('token-file') as string;
      const mount = c.volumeMounts?.find((m) => tokenFile.startsWith(`${m.mountPath}/`));
      const volume = pod.volumes?.find((v) => v.name === mount?.name);
      assert.ok(volume?.secret?.secretName, `${where}: --token-file ${tokenFile} is not in a Secret volume`);
      assert.ok(!c.env?.some((e) => e.valueFrom?.secretKeyRef), `${where}: a secret in the environment`);
      assert.equal(pod.securityContext?.runAsNonRoot, true, where);
      assert.ok((pod.securityContext?.runAsUser ?? 0) > 0, `${where} runs as root`);
      assert.equal(c.securityContext?.allowPrivilegeEscalation, false, where);
    }
    const workerMaster = flagValues(worker.spec.template?.spec.containers[0]?.args.slice(1) ?? []).get('master');
    assert.equal(
      workerMaster,
      `${service.metadata.name}:${grpcPort?.port ?? ''}`,
      'workers reach the master by its Service',
    );
  });

  it('the systemd units are sandboxed, restart on failure and take the token as a credential', async (t: TestContext) => {
    for (const [unit, command] of [
      ['groove-master.service', 'master'],
      ['groove-worker.service', 'worker'],
    ] as const) {
      const sections = parseUnit(read(`deploy/systemd/${unit}`));
      const service = sections.get('Service') as Map<string, string[]>;
      assert.ok(service, `${unit} has a [Service] section`);
      const one = (key: string): string | undefined => service.get(key)?.at(-1);
      assert.ok(one('DynamicUser') === 'yes' || (one('User') !== undefined && one('User') !== 'root'), `${unit}: user`);
      for (const [key, value] of [
        ['ProtectSystem', 'strict'],
        ['NoNewPrivileges', 'yes'],
        ['PrivateTmp', 'yes'],
        ['Restart', 'on-failure'],
      ] as const)
        assert.equal(one(key), value, `${unit}: ${key}`);
      const exec = (one('ExecStart') ?? '').split(/\s+/);
      assert.equal(exec[0], '/usr/local/bin/mr', `${unit}: ExecStart`);
      const values = checkCommandLine(exec.slice(1), flags, unit);
      assert.equal(exec[1], command);
      const dataDir = values.get('data-dir') as string;
      assert.ok(one('ReadWritePaths')?.split(/\s+/).includes(dataDir), `${unit}: ReadWritePaths has ${dataDir}`);
      const credential = /^([\w-]+):\/\S+$/.exec(one('LoadCredential') ?? '')?.[1];
      assert.ok(credential, `${unit}: LoadCredential=NAME:/path`);
      assert.equal(values.get('token-file'), `%d/${credential}`, `${unit}: --token-file is the credential`);
      assert.deepEqual(sections.get('Install')?.get('WantedBy'), ['multi-user.target']);
      if (command === 'worker')
        assert.equal(one('KillMode'), 'mixed', 'SIGTERM reaches the worker alone, which drains');
    }
    const analyze = spawnSync('systemd-analyze', ['--version']);
    if (analyze.error) return t.skip('systemd-analyze is not installed');
    // verify checks that ExecStart's program exists: point it at this checkout's mr.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'groove-units-'));
    try {
      const units = ['groove-master.service', 'groove-worker.service'].map((unit) => {
        fs.writeFileSync(path.join(dir, unit), read(`deploy/systemd/${unit}`).replaceAll('/usr/local/bin/mr', MR));
        return path.join(dir, unit);
      });
      const r = spawnSync('systemd-analyze', ['verify', ...units], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stderr, '', 'systemd-analyze verify complains');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('docs/deploy.md shows each file, and the README links it', () => {
    const doc = read('docs/deploy.md');
    for (const file of ['Dockerfile', 'compose.yaml', 'deploy/k8s/', 'deploy/systemd/groove-master.service'])
      assert.ok(doc.includes(file), `docs/deploy.md does not mention ${file}`);
    assert.match(read('README.md'), /\(docs\/deploy\.md\)/);
  });
});
