/**
 * An iterative job driven from an SDK script: a few PageRank iterations (jobs/pagerank.ts),
 * each reading the previous one's results where they are (`mr://JOB`), then the final ranks
 * printed as `NODE<TAB>RANK`, highest first. Each iteration's job is purged once the next
 * one has read it.
 *
 *     node dist/jobs/pagerank-driver.js --graph graph.txt [--iterations 5] [--damping 0.85]
 *          [--master HOST:PORT] [--partitions N]
 *     node dist/jobs/pagerank-driver.js --nodes 30 --seed 7     (a generated graph)
 *
 * The graph: lines `NODE<TAB>TARGET TARGET ...`, one per node. Without `--master` the
 * iterations run on an embedded cluster of this process.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { EmbeddedCluster, GrooveClient, packJobFile } from 'groove-mr';
import type { JobId } from 'groove-mr';
import type pagerank from './pagerank.js';

/** The driver's options, as its flags give them. */
export interface PageRankRun {
  /** The graph file, readable by the workers at this path. */
  readonly graph: string;
  readonly iterations: number;
  readonly damping: number;
  readonly partitions?: number;
}

/** The job file beside this script: jobs/pagerank.ts from source, or from dist/jobs/. */
function jobFile(): string {
  const beside = path.join(__dirname, 'pagerank.ts');
  return fs.existsSync(beside) ? beside : path.resolve(__dirname, '..', '..', 'jobs', 'pagerank.ts');
}

/**
 * Runs `iterations` PageRank iterations on the cluster `client` talks to; resolves with the
 * ranks by node. The first reads the graph file, every later one the results before it.
 */
export async function runPageRank(client: GrooveClient, run: PageRankRun): Promise<Map<string, number>> {
  const nodes = fs
    .readFileSync(run.graph, 'utf8')
    .split('\n')
    .filter((l) => l).length;
  const packed = await packJobFile(jobFile());
  const params = { n: String(nodes), damping: String(run.damping) };
  let input = run.graph;
  let previous: JobId<typeof pagerank> | undefined;
  for (let i = 0; i < run.iterations; i++) {
    const id = await client.submitPacked<typeof pagerank>(packed, {
      inputs: [input],
      params,
      partitions: run.partitions,
    });
    await client.wait(id);
    if (previous !== undefined) await client.purge(previous);
    previous = id;
    input = `mr://${id}`;
  }
  const ranks = new Map<string, number>();
  if (previous === undefined) return ranks;
  for await (const [node, { rank }] of client.results(previous)) ranks.set(node, rank);
  await client.purge(previous);
  return ranks;
}

/** A random graph of `nodes` nodes, 0 to 4 links each (a small xorshift generator, seeded). */
export function generateGraph(nodes: number, seed: number): string {
  let x = seed >>> 0 || 1;
  const next = (): number => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
  const lines: string[] = [];
  for (let v = 0; v < nodes; v++) {
    const links = Array.from({ length: Math.floor(next() * 5) }, () => `n${Math.floor(next() * nodes)}`);
    lines.push(`n${v}\t${links.join(' ')}`);
  }
  return lines.join('\n') + '\n';
}

async function main(): Promise<void> {
  // A reader that stops early (`| head`) is not an error: the ranks it wanted were printed.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') process.stderr.write(`pagerank-driver: ${err.message}\n`);
    process.exitCode = err.code === 'EPIPE' ? 0 : 1;
  });
  const { values } = parseArgs({
    options: {
      graph: { type: 'string' },
      nodes: { type: 'string' },
      seed: { type: 'string', default: '1' },
      iterations: { type: 'string', default: '5' },
      damping: { type: 'string', default: '0.85' },
      master: { type: 'string' },
      partitions: { type: 'string' },
    },
  });
  const iterations = Number(values.iterations);
  if (!Number.isInteger(iterations) || iterations < 1)
    throw new Error(`--iterations must be a positive integer, got ${values.iterations}`);
  let graph = values.graph;
  if (graph === undefined) {
    if (values.nodes === undefined) throw new Error('give --graph FILE or --nodes N');
    graph = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pagerank-')), 'graph.txt');
    fs.writeFileSync(graph, generateGraph(Number(values.nodes), Number(values.seed)));
  }
  const embedded = values.master === undefined ? await EmbeddedCluster.start({ slots: 2 }) : undefined;
  const client = embedded
    ? new GrooveClient({
        master: embedded.masterAddress,
        security: embedded.security,
        localDataDirs: embedded.localDataDirs,
      })
    : new GrooveClient({ master: values.master });
  try {
    const ranks = await runPageRank(client, {
      graph: path.resolve(graph),
      iterations,
      damping: Number(values.damping),
      partitions: values.partitions === undefined ? undefined : Number(values.partitions),
    });
    const sorted = [...ranks].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    process.stdout.write(sorted.map(([node, rank]) => `${node}\t${rank}\n`).join(''));
  } finally {
    client.close();
    await embedded?.stop();
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`pagerank-driver: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
