/**
 * Many fake worker daemons in one process, speaking the real Master.Session protocol:
 * each registers with one slot and answers every assignment at once with a success and
 * a fake output in the attempt's own directory. Only the master does real work, so its
 * scheduling and bookkeeping rate is what gets measured.
 *
 *     node dist/bench/sim/simulated-workers.js MASTER WORKERS CONNECTIONS
 *
 * Prints a JSON line of counts every 250 ms on stdout; stops on SIGTERM or SIGINT.
 */
import * as net from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { CHANNEL_OPTIONS } from '../../proto/wire/index.js';
import { grooveProto } from '../../proto/wire/index.js';
import type { MasterClient } from '../../proto/wire/generated/groove/Master';
import type { MasterMessage__Output } from '../../proto/wire/generated/groove/MasterMessage';
import type { WorkerMessage } from '../../proto/wire/generated/groove/WorkerMessage';

/** The counts the simulator reports. */
export interface SimCounts {
  readonly registered: number;
  readonly assigned: number;
  readonly maps: number;
  readonly reduces: number;
  /** ms since epoch of the first and the latest assignment (0 before any). */
  readonly firstAssignAt: number;
  readonly lastAssignAt: number;
  /** Sessions the master ended or broke. */
  readonly lost: number;
}

function main(master: string, workers: number, connections: number, dataAddress: string): void {
  const Ctor = grooveProto().groove.Master;
  // Separate subchannel pools: the workers spread over several HTTP/2 connections, as
  // they would over hosts, instead of all multiplexed on one.
  const clients: MasterClient[] = [];
  for (let c = 0; c < connections; c++)
    clients.push(
      new Ctor(master, grpc.credentials.createInsecure(), { ...CHANNEL_OPTIONS, 'grpc.use_local_subchannel_pool': 1 }),
    );
  const counts = { registered: 0, assigned: 0, maps: 0, reduces: 0, firstAssignAt: 0, lastAssignAt: 0, lost: 0 };
  const sessions: grpc.ClientDuplexStream<WorkerMessage, MasterMessage__Output>[] = [];
  const timers: NodeJS.Timeout[] = [];
  for (let i = 0; i < workers; i++) {
    const session = (clients[i % connections] as MasterClient).session();
    sessions.push(session);
    session.on('data', (m: MasterMessage__Output) => {
      if (m.kind === 'registered' && m.registered) {
        counts.registered++;
        const beat = setInterval(() => session.write({ heartbeat: { running: 0 } }), m.registered.heartbeatMs || 1000);
        beat.unref();
        timers.push(beat);
        return;
      }
      if (m.kind !== 'assign' || !m.assign) return;
      const a = m.assign;
      const now = Date.now();
      counts.assigned++;
      if (!counts.firstAssignAt) counts.firstAssignAt = now;
      counts.lastAssignAt = now;
      const dir = `jobs/${a.jobId}/${a.taskId}-a${a.attempt}`;
      const common = { jobId: a.jobId, taskId: a.taskId, attempt: a.attempt, outcome: 'TASK_SUCCEEDED' as const };
      if (a.kind === 'MAP') {
        counts.maps++;
        session.write({
          taskUpdate: { ...common, mapOutput: { dir, offsets: new Array<number>(a.partitions + 1).fill(0) } },
        });
      } else {
        counts.reduces++;
        session.write({ taskUpdate: { ...common, reduceOutput: { path: `${dir}/part.data`, records: 0, bytes: 0 } } });
      }
    });
    session.on('error', () => counts.lost++);
    session.write({
      register: {
        workerId: `sim-${String(i).padStart(5, '0')}`,
        dataAddress,
        slots: 1,
        hostname: 'simulated',
        version: '0.1.0',
      },
    });
  }
  const report = setInterval(() => process.stdout.write(`${JSON.stringify(counts)}\n`), 250);
  const stop = (): void => {
    clearInterval(report);
    process.stdout.write(`${JSON.stringify(counts)}\n`);
    for (const t of timers) clearInterval(t);
    for (const s of sessions) s.cancel();
    for (const c of clients) c.close();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

const [master, workers, connections] = process.argv.slice(2);
if (!master || !workers) {
  process.stderr.write('usage: simulated-workers MASTER WORKERS [CONNECTIONS]\n');
  process.exit(2);
}
// The master checks at registration that it can connect to a worker's data address: one
// listening socket stands for every simulated worker's (nothing is ever fetched from it).
const dataPort = net.createServer((socket) => socket.destroy());
dataPort.listen(0, '127.0.0.1', () => {
  const { port } = dataPort.address() as net.AddressInfo;
  main(master, Number(workers), Math.max(1, Number(connections ?? 1)), `127.0.0.1:${port}`);
});
