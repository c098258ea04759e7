import { defineJob } from 'groove-mr';
import type { ResultRecord } from 'groove-mr';

/** A node between iterations: its rank and the nodes it links to. */
export interface PageRankNode {
  readonly rank: number;
  readonly links: readonly string[];
}

/** What map emits: a node's links (to rebuild the graph) or a share of a linking node's rank. */
export type PageRankMessage = { readonly links: readonly string[] } | { readonly share: number };

/** The damping factor when `--param damping` is not given (Brin and Page's). */
const DEFAULT_DAMPING = 0.85;

/** `--param n`, the number of nodes, which every rank's teleport term divides by. */
function nodeCount(params: Readonly<Record<string, string>>): number {
  const n = Number(params.n);
  if (!Number.isInteger(n) || n < 1)
    throw new RangeError(`pagerank needs --param n=NODES (a positive integer), got ${params.n}`);
  return n;
}

/** `--param damping`, in [0, 1]. */
function damping(params: Readonly<Record<string, string>>): number {
  if (params.damping === undefined) return DEFAULT_DAMPING;
  const d = Number(params.damping);
  if (!(d >= 0 && d <= 1)) throw new RangeError(`pagerank's --param damping must be in [0, 1], got ${params.damping}`);
  return d;
}

/**
 * A graph line `NODE<TAB>TARGET TARGET ...` (targets may be empty) as the first
 * iteration's node, every rank 1/N.
 */
function parseLine(line: string, n: number): [string, PageRankNode] {
  const tab = line.indexOf('\t');
  const node = tab < 0 ? line : line.slice(0, tab);
  const links =
    tab < 0
      ? []
      : line
          .slice(tab + 1)
          .split(' ')
          .filter((t) => t);
  return [node, { rank: 1 / n, links }];
}

/**
 * One PageRank iteration (the MapReduce formulation of Lin and Dyer): rank'(v) =
 * (1 - d) / N + d * sum of rank(u) / outdegree(u) over the links u -> v. Input: the graph
 * as text lines `NODE<TAB>TARGET TARGET ...` (every node on a line of its own; ranks start
 * at 1/N), or the results of the previous iteration (`mr://JOB`), whose records are
 * `[node, { rank, links }]`; output: the same records, so iterations chain. A node without
 * links passes its rank to no one (that mass leaves the graph, as in that formulation).
 * Params: `n` (the number of nodes, required) and `damping` (default 0.85).
 * jobs/pagerank-driver.ts runs several iterations through the SDK.
 *
 *     mr run jobs/pagerank.ts --input graph.txt --param n=40
 */
export default defineJob<string, PageRankMessage, string, PageRankNode, string | ResultRecord<string, PageRankNode>>({
  name: 'pagerank',
  map(record, emit, ctx) {
    const [node, { rank, links }] = typeof record === 'string' ? parseLine(record, nodeCount(ctx.params)) : record;
    emit(node, { links });
    for (const target of links) emit(target, { share: rank / links.length });
  },
  // Shares of one node summed on the map side; its links passed on as they are.
  combine(node, messages, emit) {
    let share = 0;
    let shares = 0;
    for (const m of messages) {
      if ('links' in m) emit(node, m);
      else {
        share += m.share;
        shares++;
      }
    }
    if (shares > 0) emit(node, { share });
  },
  reduce(node, messages, emit, ctx) {
    const n = nodeCount(ctx.params);
    const d = damping(ctx.params);
    let sum = 0;
    let links: readonly string[] = [];
    for (const m of messages) {
      if ('links' in m) links = m.links;
      else sum += m.share;
    }
    emit(node, { rank: (1 - d) / n + d * sum, links });
  },
  partitions: 4,
});
