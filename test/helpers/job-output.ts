import * as assert from 'node:assert/strict';
import type { GrooveClient } from '../../sdk/index.js';

/** A job's results through the SDK as JSON(key) -> value (string keys as they are); a duplicated key fails the test. */
export async function collectResults(client: GrooveClient, jobId: string): Promise<Map<string, unknown>> {
  const out = new Map<string, unknown>();
  for await (const [k, v] of client.results(jobId)) {
    const key = typeof k === 'string' ? k : JSON.stringify(k);
    assert.ok(!out.has(key), `duplicate key ${key} in the results of ${jobId}`);
    out.set(key, v);
  }
  return out;
}

/** A job's events as `TYPE MESSAGE` lines, following it until it ends. */
export async function collectEvents(client: GrooveClient, jobId: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of client.watch(jobId)) out.push(`${e.type} ${e.message}`);
  return out;
}
