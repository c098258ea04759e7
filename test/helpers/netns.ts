import { execFile, spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { MR, ROOT } from './cli.js';
import type { Daemon, MrResult } from './cli.js';

/**
 * A private network of Linux network namespaces for multi-host tests: a "switch"
 * namespace holding a bridge, and one namespace per host joined to it by a veth pair.
 * Both veth ends are created directly inside their namespaces and the hosts get no
 * default route, so nothing is added to the root namespace and no packet can leave the
 * lab. Needs root and iproute2.
 */

/** One simulated host: its namespace, its address, and the switch port its cable plugs into. */
export interface NetnsHost {
  readonly name: string;
  readonly ns: string;
  readonly ip: string;
  /** The host's end of its cable (inside `ns`). */
  readonly hostIf: string;
  /** The switch's end of the host's cable (inside the switch namespace); down means unplugged. */
  readonly switchPort: string;
}

/** Options of a {@link NetnsLab}. */
export interface NetnsLabOptions {
  /** Host names, in address order; each gets `<prefix>.<i + 1>/24`. Short: they end interface names. */
  readonly hosts: readonly string[];
  /** First three octets of the lab's /24. Default `10.213.7`. */
  readonly subnet?: string;
  /** Makes namespace and interface names unique. Default: this process's pid. */
  readonly tag?: string;
}

/** Linux interface names are at most 15 bytes (IFNAMSIZ - 1). */
const MAX_IFNAME = 15;
/** How long one `ip` command may take, ms. */
const IP_TIMEOUT_MS = 10_000;
/** A daemon gets this long to stop after SIGINT before its process group is SIGKILLed, ms. */
const STOP_GRACE_MS = 3000;

/** Why netns tests cannot run here (not root, no `ip`), or undefined when they can: those tests then fail, saying it. */
export function netnsUnavailable(): string | undefined {
  if (process.platform !== 'linux') return 'network namespaces need Linux';
  if (process.getuid?.() !== 0) return 'network namespaces need root';
  const probe = spawnSync('ip', ['-V'], { stdio: 'ignore' });
  if (probe.error || probe.status !== 0) return 'iproute2 (`ip`) is not installed';
  return undefined;
}

/** Runs `ip ARGS...`; rejects with its stderr when it fails. */
export function ip(args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('ip', [...args], { timeout: IP_TIMEOUT_MS }, (err, stdout, stderr) => {
      if (err) reject(new Error(`ip ${args.join(' ')} failed: ${stderr.trim() || err.message}`, { cause: err }));
      else resolve(stdout);
    });
  });
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    // Negative pid: the whole process group (the daemon and its pool processes).
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/** A network lab; build it, use it, and always `destroy` it (it also stops every process it started). */
export class NetnsLab {
  readonly tag: string;
  readonly switchNs: string;
  readonly bridge: string;
  private readonly hostList: NetnsHost[];
  /** Namespaces that exist now, in creation order. */
  private readonly created: string[] = [];
  private readonly children = new Set<ChildProcess>();
  private readonly daemons: Daemon[] = [];

  constructor(options: NetnsLabOptions) {
    this.tag = options.tag ?? String(process.pid);
    const subnet = options.subnet ?? '10.213.7';
    if (!/^\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(subnet))
      throw new RangeError(`subnet must be three octets like 10.213.7, got ${JSON.stringify(subnet)}`);
    if (options.hosts.length < 1 || options.hosts.length > 250)
      throw new RangeError(`hosts must have 1 to 250 names, got ${options.hosts.length}`);
    this.switchNs = `groove-${this.tag}-switch`;
    this.bridge = `gb${this.tag}`;
    this.hostList = options.hosts.map((name, i) => ({
      name,
      ns: `groove-${this.tag}-${name}`,
      ip: `${subnet}.${i + 1}`,
      hostIf: `gh${this.tag}${name}`,
      switchPort: `gs${this.tag}${name}`,
    }));
    for (const n of [this.bridge, ...this.hostList.flatMap((h) => [h.hostIf, h.switchPort])]) {
      if (n.length > MAX_IFNAME)
        throw new RangeError(
          `interface name ${n} is longer than ${MAX_IFNAME} characters: use a shorter tag or host name`,
        );
    }
  }

  /** Every host, in address order. */
  get hosts(): readonly NetnsHost[] {
    return this.hostList;
  }

  host(name: string): NetnsHost {
    const h = this.hostList.find((x) => x.name === name);
    if (!h) throw new RangeError(`no host ${name} in this lab`);
    return h;
  }

  /** Creates the namespaces, the bridge and the cables, and brings everything up. */
  async build(): Promise<void> {
    await this.addNs(this.switchNs);
    await ip([
      '-n',
      this.switchNs,
      'link',
      'add',
      this.bridge,
      'type',
      'bridge',
      'stp_state',
      '0',
      'forward_delay',
      '0',
    ]);
    await ip(['-n', this.switchNs, 'link', 'set', this.bridge, 'up']);
    for (const h of this.hostList) {
      await this.addNs(h.ns);
      // Created inside the switch namespace with its peer placed straight into the host's:
      // the pair never exists in the root namespace.
      await ip([
        '-n',
        this.switchNs,
        'link',
        'add',
        h.switchPort,
        'type',
        'veth',
        'peer',
        'name',
        h.hostIf,
        'netns',
        h.ns,
      ]);
      await ip(['-n', this.switchNs, 'link', 'set', h.switchPort, 'master', this.bridge]);
      await ip(['-n', this.switchNs, 'link', 'set', h.switchPort, 'up']);
      await ip(['-n', h.ns, 'link', 'set', 'lo', 'up']);
      await ip(['-n', h.ns, 'addr', 'add', `${h.ip}/24`, 'dev', h.hostIf]);
      await ip(['-n', h.ns, 'link', 'set', h.hostIf, 'up']);
    }
  }

  private async addNs(ns: string): Promise<void> {
    await ip(['netns', 'add', ns]);
    this.created.push(ns);
  }

  /** Unplugs a host's cable at the switch: its packets go nowhere, and nobody's reach it. */
  async cut(name: string): Promise<void> {
    await ip(['-n', this.switchNs, 'link', 'set', this.host(name).switchPort, 'down']);
  }

  /** The argv that runs `mr ARGS...` inside a host's namespace. */
  private mrArgv(host: string, args: readonly string[]): string[] {
    return ['netns', 'exec', this.host(host).ns, process.execPath, MR, ...args];
  }

  /** Runs `mr ARGS...` to completion inside a host's namespace (SIGKILLed after timeoutMs). */
  runMr(host: string, args: readonly string[], timeoutMs = 20_000): Promise<MrResult> {
    return new Promise((resolve, reject) => {
      const child = spawn('ip', this.mrArgv(host, args), { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      this.children.add(child);
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (d: Buffer) => out.push(d));
      child.stderr.on('data', (d: Buffer) => err.push(d));
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(
          new Error(
            `mr ${args.join(' ')} (in ${host}) timed out after ${timeoutMs} ms; stderr: ${Buffer.concat(err).toString()}`,
          ),
        );
      }, timeoutMs);
      child.on('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        this.children.delete(child);
        resolve({ code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() });
      });
    });
  }

  /**
   * Starts `mr ARGS...` in the background inside a host's namespace, in its own process
   * group (so stopping it also reaches its pool processes), and resolves once a line of
   * its stderr matches `ready`.
   */
  startDaemon(
    host: string,
    args: readonly string[],
    ready: RegExp,
    timeoutMs = 30_000,
  ): Promise<{ daemon: Daemon; match: RegExpExecArray }> {
    return new Promise((resolve, reject) => {
      // `ip netns exec` execs the command, so the child's pid is node's and it leads the group.
      const child = spawn('ip', this.mrArgv(host, args), {
        cwd: ROOT,
        stdio: ['ignore', 'ignore', 'pipe'],
        detached: true,
      });
      let text = '';
      let exited = false;
      const exit = new Promise<void>((done) =>
        child.once('exit', () => {
          exited = true;
          done();
        }),
      );
      const daemon: Daemon = {
        process: child,
        log: () => text,
        stop: async () => {
          if (!exited) {
            signalGroup(child, 'SIGINT');
            const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), STOP_GRACE_MS);
            await exit;
            clearTimeout(timer);
          }
          // Pool processes of a daemon that died first are still in its group.
          signalGroup(child, 'SIGKILL');
        },
      };
      this.daemons.push(daemon);
      const timer = setTimeout(() => {
        signalGroup(child, 'SIGKILL');
        reject(new Error(`mr ${args.join(' ')} (in ${host}) did not become ready in ${timeoutMs} ms; stderr: ${text}`));
      }, timeoutMs);
      let matched = false;
      child.stderr.on('data', (d: Buffer) => {
        text += d.toString();
        const m = matched ? null : ready.exec(text);
        if (m) {
          matched = true;
          clearTimeout(timer);
          resolve({ daemon, match: m });
        }
      });
      child.on('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      child.on('exit', (code, signal) => {
        if (!matched) {
          clearTimeout(timer);
          reject(
            new Error(
              `mr ${args.join(' ')} (in ${host}) exited (${signal ?? String(code)}) before it was ready: ${text}`,
            ),
          );
        }
      });
    });
  }

  /** Stops every process the lab started (SIGKILL fallback), then deletes every namespace it created. */
  async destroy(): Promise<void> {
    for (const c of this.children) c.kill('SIGKILL');
    this.children.clear();
    await Promise.all(this.daemons.map((d) => d.stop()));
    const errors: string[] = [];
    // Deleting a namespace also deletes the veth ends inside it (and so their peers).
    for (const ns of this.created.splice(0).reverse()) {
      try {
        await ip(['netns', 'delete', ns]);
      } catch (err) {
        errors.push((err as Error).message);
      }
    }
    if (errors.length) throw new Error(`could not delete every namespace: ${errors.join('; ')}`);
  }
}
