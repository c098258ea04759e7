/**
 * How one process secures its connections: the cluster token sent with (and required
 * on) every RPC, and TLS material. Plain data, so a worker can hand it to its pool
 * processes, which open connections of their own (reducers fetching map outputs).
 */
export interface Security {
  /** The cluster token; undefined: no authentication (loopback-only clusters, or --insecure). */
  readonly token?: string;
  /** PEM certificate chain this process presents (as a server, and as a client for mutual TLS). */
  readonly tlsCert?: Buffer;
  /** PEM private key of tlsCert. */
  readonly tlsKey?: Buffer;
  /** PEM CA: clients verify servers with it; servers require client certificates signed by it (mutual TLS). */
  readonly tlsCa?: Buffer;
  /** Servers require client certificates. Default: true when tlsCa is given. */
  readonly tlsClientAuth?: boolean;
}
