import type { OutputColumns } from '../proto/wire/index.js';
import type { Job } from './job.js';

/** Where partition `p` of every map output is, in the assignment's columns (see groove.proto). */
export function outputColumns(job: Job, p: number): OutputColumns {
  const outputs = job.mapOutputs;
  const hosts: { workerId: string; dataAddress: string }[] = [];
  // The job's host index -> this assignment's: only hosts that hold a needed output are listed.
  const listed = new Map<number, number>();
  const n = outputs.length;
  const host = new Uint32Array(n);
  const attempt = new Uint32Array(n);
  const start = new Float64Array(n);
  const end = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const jobHost = outputs.host(i);
    if (jobHost < 0) throw new Error(`reduce scheduled before ${job.maps.id(i)} finished`);
    let h = listed.get(jobHost);
    if (h === undefined) {
      h = hosts.length;
      listed.set(jobHost, h);
      const { workerId, dataAddress } = job.hosts.get(jobHost);
      hosts.push({ workerId, dataAddress });
    }
    host[i] = h;
    attempt[i] = outputs.attempt(i);
    start[i] = outputs.value(i, p);
    end[i] = outputs.value(i, p + 1);
  }
  return { hosts, host, attempt, start, end };
}
