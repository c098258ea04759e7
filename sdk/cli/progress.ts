import { oneLine } from '../../common/index.js';
import type { JobEvent } from '../client.js';
import { progressBars } from './progress-bars.js';
import type { JobProgress } from './progress-bars.js';

/**
 * Progress on stderr while waiting for a job: one line whenever the counts change (at
 * most every half second), plus failures as they happen. stdout stays for ids and results.
 */
export function progressPrinter(stream: NodeJS.WriteStream = process.stderr): (event: JobEvent) => void {
  let last = '';
  let lastAt = 0;
  return (event) => {
    const s = event.status;
    if (!s) return;
    if (event.type === 'task-failed') stream.write(`${oneLine(event.message)}\n`);
    const stage = s.stages ? `, stage ${s.stage}/${s.stages}` : '';
    const reduce = s.mapOnly ? 'map-only' : `reduce ${s.reducesDone}/${s.reducesTotal}`;
    const line = `${s.jobId}: ${s.state}${stage}, map ${s.mapsDone}/${s.mapsTotal}, ${reduce}`;
    const now = Date.now();
    const terminal = s.state !== 'running';
    if (line !== last && (terminal || now - lastAt >= 500)) {
      stream.write(`${line}\n`);
      last = line;
      lastAt = now;
    }
  };
}

/**
 * How a command shows a job's progress: bars redrawn in place on a terminal, plain lines
 * (which logs and CI keep readably) otherwise.
 */
export function jobProgress(stream: NodeJS.WriteStream = process.stderr): JobProgress {
  if (stream.isTTY) return progressBars(stream);
  return { onEvent: progressPrinter(stream), done: () => undefined };
}
