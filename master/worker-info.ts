import type { WorkerInfo } from '../proto/wire/generated/groove/WorkerInfo';
import type { WorkerEntry } from './worker-registry.js';

/** A worker as it goes on the wire (ListWorkers) and in the web UI's JSON. */
export function workerInfo(w: WorkerEntry): WorkerInfo {
  return {
    workerId: w.id,
    dataAddress: w.dataAddress,
    slots: w.slots,
    running: w.running.size,
    state: w.state,
    hostname: w.hostname,
    lastSeen: w.lastSeen,
    loadAverage: w.loadAverage,
  };
}
