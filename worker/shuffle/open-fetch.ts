/**
 * How a reducer in a pool process asks its daemon to open a fetch, shared by the two ends.
 * The daemon holds the gRPC clients to its peers (serve/peer-fetches.ts): a pool process
 * never loads grpc-js, it only reads the bulk port the answer names (fetch/bulk-receive.ts).
 */

/** A fetch that receives nothing for this long is abandoned: its worker is presumed gone. */
export const FETCH_IDLE_TIMEOUT_MS = 10_000;

/** One partition of one remote map output, to be fetched into a local file. */
export interface OpenFetchRequest {
  /** The peer's shuffle service address (host:port); its host is where its bulk port listens. */
  readonly address: string;
  readonly jobId: string;
  /** The map output's directory, relative to the peer's data dir. */
  readonly dir: string;
  readonly partition: number;
  /**
   * Set to fetch the whole part file at this path (relative to the peer's data dir) of
   * job `jobId` instead of a map output's partition (a chained job's map reading an
   * earlier job's results: mr://); `dir` and `partition` are then not used.
   */
  readonly resultPath?: string;
  /** The local file the bytes go to (written by the daemon itself when it streams them). */
  readonly destination: string;
  /** Give up when nothing arrives for this long, ms. Default {@link FETCH_IDLE_TIMEOUT_MS}. */
  readonly idleTimeoutMs?: number;
}

/**
 * The daemon's answer: a ticket to collect from the peer's bulk port; or the bytes already
 * in `destination` (a peer without a bulk port streams them over gRPC, which the daemon
 * does); or why the fetch failed. `code` is the gRPC status of a failed call, and `local`
 * marks a failure to write this worker's own disk (not the map's fault).
 */
export type OpenFetchAnswer =
  | { readonly kind: 'ticket'; readonly port: number; readonly ticket: Uint8Array; readonly length: number }
  | { readonly kind: 'streamed'; readonly bytes: number }
  | { readonly kind: 'failed'; readonly message: string; readonly code?: number; readonly local: boolean };

/** Asks the daemon to open one fetch; never rejects (a failure is an answer). */
export type FetchOpener = (request: OpenFetchRequest) => Promise<OpenFetchAnswer>;
