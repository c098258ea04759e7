import * as dns from 'node:dns';
import * as net from 'node:net';
import * as os from 'node:os';
import { UserError } from '../common/index.js';
import type { Logger } from '../common/index.js';

/** True for 127.0.0.0/8, ::1 and their IPv4-mapped forms: addresses only this host reaches. */
export function isLoopbackAddress(ip: string): boolean {
  const v4 = ip.startsWith('::ffff:') ? ip.slice('::ffff:'.length) : ip;
  return (net.isIPv4(v4) && v4.startsWith('127.')) || ip === '::1';
}

/** The address a name resolves to here (what a client on this host would dial), or undefined. */
async function resolve(name: string): Promise<string | undefined> {
  if (net.isIP(name)) return name;
  try {
    return (await dns.promises.lookup(name)).address;
  } catch {
    return undefined;
  }
}

/** This host's first IPv4 address that is not loopback, if it has one. */
function externalIPv4(): string | undefined {
  for (const addrs of Object.values(os.networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return undefined;
}

/** What chooseAdvertise needs from the worker's options. */
export interface AdvertiseOptions {
  readonly master: string;
  readonly host: string;
  /** --advertise as given; undefined when not. */
  readonly advertise?: string;
}

/**
 * The host part of the data address this worker advertises, logged with why:
 * --advertise when given; else --host, unless it is a wildcard (0.0.0.0, ::), which no one
 * can dial: then this host's name, or its first non-loopback IPv4 address when the name
 * resolves to loopback (as on many hosts whose /etc/hosts maps the name to 127.0.1.1).
 * Refuses a loopback address when the master is on another host: others could never
 * fetch this worker's outputs there, and the job would recompute them again and again.
 */
export async function chooseAdvertise(opts: AdvertiseOptions, log: Logger): Promise<string> {
  let advertise = opts.advertise;
  let why = '--advertise';
  if (advertise === undefined) {
    const wildcard = opts.host === '0.0.0.0' || opts.host === '::';
    advertise = wildcard ? os.hostname() : opts.host;
    why = wildcard ? 'the host name (--host is a wildcard)' : '--host';
    const ip = wildcard ? await resolve(advertise) : undefined;
    const external = ip !== undefined && isLoopbackAddress(ip) ? externalIPv4() : undefined;
    if (external) {
      why = `the first non-loopback IPv4 address (--host is a wildcard and the host name ${advertise} resolves to ${ip})`;
      advertise = external;
    }
  }
  const ip = await resolve(advertise);
  if (ip !== undefined && isLoopbackAddress(ip)) {
    const masterHost = opts.master.slice(0, opts.master.lastIndexOf(':'));
    const masterIp = await resolve(masterHost);
    if (masterIp !== undefined && !isLoopbackAddress(masterIp)) {
      throw new UserError(
        `this worker would advertise ${advertise}${advertise === ip ? '' : ` (${ip})`}, a loopback address, to a master on another host (${opts.master}): no other host can reach it there; pass --advertise with a name or address of this host that the others can reach`,
      );
    }
  }
  log.info('advertising data address', { advertise, from: why });
  return advertise;
}
