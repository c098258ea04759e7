import * as net from 'node:net';

/**
 * A TCP relay on loopback in front of a real server, for tests that cut a link: `cut()`
 * resets every connection through it and every new one until `restore()`, as a peer
 * that went away (or a firewall sending resets) looks to the client.
 */
export class TcpProxy {
  private cutOff = false;
  private readonly open = new Set<net.Socket>();

  private constructor(
    private readonly server: net.Server,
    /** host:port clients dial. */
    readonly address: string,
  ) {}

  /** Listens on a free loopback port and relays to `target` (host:port). */
  static async start(target: string): Promise<TcpProxy> {
    const at = target.lastIndexOf(':');
    const host = target.slice(0, at);
    const port = Number(target.slice(at + 1));
    let proxy: TcpProxy | undefined;
    const server = net.createServer((client) => proxy?.relay(client, host, port));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    proxy = new TcpProxy(server, `127.0.0.1:${(server.address() as net.AddressInfo).port}`);
    return proxy;
  }

  private relay(client: net.Socket, host: string, port: number): void {
    if (this.cutOff) {
      client.resetAndDestroy();
      return;
    }
    const upstream = net.connect(port, host);
    for (const s of [client, upstream]) {
      this.open.add(s);
      s.on('error', () => undefined);
      s.on('close', () => {
        this.open.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  }

  /** Resets every connection, and every new one until {@link restore}. */
  cut(): void {
    this.cutOff = true;
    for (const s of this.open) s.resetAndDestroy();
  }

  restore(): void {
    this.cutOff = false;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
