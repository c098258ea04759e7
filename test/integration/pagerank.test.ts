import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT, runMr, runProcess } from '../helpers/cli.js';
import { startCluster } from '../helpers/cluster.js';
import type { TestCluster } from '../helpers/cluster.js';
import { mulberry32 } from '../helpers/corpus.js';

const NODES = 60;
const DAMPING = 0.85;
const TOLERANCE = 1e-9;

/** A graph of NODES nodes with dangling nodes, self-links and repeated links, as `NODE<TAB>TARGET ...` lines. */
function graphLines(seed: number): string[] {
  const rand = mulberry32(seed);
  return Array.from({ length: NODES }, (_, v) => {
    const links = Array.from({ length: Math.floor(rand() * 6) }, () => `p${Math.floor(rand() * NODES)}`);
    return `p${v}\t${links.join(' ')}`;
  });
}

/** Plain power iteration, written here independently: r' = (1-d)/N + d * sum r(u)/outdeg(u). */
function powerIteration(lines: readonly string[], iterations: number): Map<string, number> {
  const edges = lines.map((l) => {
    const [node, targets = ''] = l.split('\t');
    return { node: node as string, links: targets.split(' ').filter((t) => t) };
  });
  let rank = new Map(edges.map((e) => [e.node, 1 / edges.length]));
  for (let i = 0; i < iterations; i++) {
    const next = new Map(edges.map((e) => [e.node, 0]));
    for (const { node, links } of edges)
      for (const t of links) next.set(t, (next.get(t) ?? 0) + (rank.get(node) as number) / links.length);
    rank = new Map([...next].map(([v, s]) => [v, (1 - DAMPING) / edges.length + DAMPING * s]));
  }
  return rank;
}

/** `NODE<TAB>RANK` lines as a map; a node twice fails. */
function parseRanks(stdout: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of stdout.split('\n').filter((l) => l)) {
    const [node, rank] = line.split('\t') as [string, string];
    assert.ok(!out.has(node), `node ${node} twice`);
    out.set(node, Number(rank));
  }
  return out;
}

function assertClose(actual: Map<string, number>, expected: Map<string, number>): void {
  assert.deepEqual([...actual.keys()].sort(), [...expected.keys()].sort());
  for (const [node, want] of expected) {
    const got = actual.get(node) as number;
    assert.ok(Math.abs(got - want) <= TOLERANCE, `rank of ${node}: ${got}, expected ${want}`);
  }
}

describe('PageRank: an iterative job driven from an SDK script over mr://', () => {
  let cluster: TestCluster;
  let graph: string;
  let lines: string[];
  before(async () => {
    cluster = await startCluster({ workers: 3, slots: 2 });
    lines = graphLines(3);
    graph = path.join(cluster.dir, 'graph.txt');
    fs.writeFileSync(graph, lines.join('\n') + '\n');
  });
  after(() => cluster.stop());

  it('five iterations on three workers equal a power iteration (1e-9), highest rank first', async () => {
    const driver = path.join(ROOT, 'dist', 'jobs', 'pagerank-driver.js');
    const r = await runProcess(process.execPath, [
      driver,
      ...['--graph', graph, '--iterations', '5', '--master', cluster.master, '--partitions', '3'],
    ]);
    assert.equal(r.code, 0, r.stderr);
    const ranks = parseRanks(r.stdout);
    assertClose(ranks, powerIteration(lines, 5));
    const printed = [...ranks.values()];
    assert.deepEqual(
      printed,
      [...printed].sort((a, b) => b - a),
    );
    // Every iteration's job was purged once read: the ranks came from jobs that ran, and none is left.
    const jobs = await runMr(['jobs', '--master', cluster.master, '--json']);
    assert.equal(jobs.code, 0, jobs.stderr);
    assert.deepEqual(JSON.parse(jobs.stdout), []);
  });

  it('one iteration with mr run equals one step of the power iteration', async () => {
    const r = await runMr(['run', 'jobs/pagerank.ts', '--input', graph, '--param', `n=${NODES}`, '--format', 'jsonl']);
    assert.equal(r.code, 0, r.stderr);
    const ranks = new Map(
      r.stdout
        .split('\n')
        .filter((l) => l)
        .map((l) => {
          const [node, value] = JSON.parse(l) as [string, { rank: number }];
          return [node, value.rank] as [string, number];
        }),
    );
    assertClose(ranks, powerIteration(lines, 1));
  });

  it('without --param n: one line saying so', async () => {
    const r = await runMr(['run', 'jobs/pagerank.ts', '--input', graph, '--max-attempts', '1']);
    assert.notEqual(r.code, 0);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /pagerank needs --param n=NODES \(a positive integer\), got undefined/);
  });
});
