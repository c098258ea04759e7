import type * as CliProgress from 'cli-progress';
import type { MultiBar, SingleBar } from 'cli-progress';
import { oneLine } from '../../common/index.js';
import type { JobEvent, JobStatus } from '../client.js';
import { durationText } from './cluster-tables.js';

/** What follows a job on stderr while a command waits for it. */
export interface JobProgress {
  /** Takes each event of the job's watch stream. */
  readonly onEvent: (event: JobEvent) => void;
  /** The wait is over (the job ended, or the wait failed): leaves the terminal clean. */
  done(): void;
}

/** Width of the bars, in characters: room for the counts beside them on an 80-column terminal. */
const BAR_WIDTH = 40;
/** Redraws per second at most: a job of many small tasks sends events faster than a person reads. */
const REDRAWS_PER_SECOND = 10;

/**
 * One bar for the map tasks and one for the reduce tasks of a job, redrawn in place on a
 * terminal (cli-progress), with failed attempts printed above them as they happen and the
 * job's end on a line of its own. Only for a TTY: elsewhere {@link progressPrinter}'s plain
 * lines are the record.
 */
export function progressBars(stream: NodeJS.WriteStream): JobProgress {
  let multi: MultiBar | undefined;
  let bars: { map: SingleBar; reduce: SingleBar } | undefined;
  let last: JobStatus | undefined;
  let stage = 0;
  const start = (s: JobStatus): { map: SingleBar; reduce: SingleBar } => {
    stream.write(`${s.jobId}: ${s.mapsTotal} map tasks, ${s.reducesTotal} reduce tasks\n`);
    // Loaded here, on a terminal only: its 16 modules cost every other `mr` start-up time.
    const { MultiBar } = require('cli-progress') as typeof CliProgress;
    multi = new MultiBar({
      stream,
      format: '{label} [{bar}] {value}/{total} tasks {percentage}%',
      barsize: BAR_WIDTH,
      fps: REDRAWS_PER_SECOND,
      hideCursor: false,
      clearOnComplete: false,
      barCompleteChar: '#',
      barIncompleteChar: '-',
    });
    return {
      map: multi.create(s.mapsTotal, s.mapsDone, { label: 'map   ' }),
      reduce: multi.create(s.reducesTotal, s.reducesDone, { label: 'reduce' }),
    };
  };
  return {
    onEvent: (event) => {
      const s = event.status;
      if (!s) return;
      bars ??= start(s);
      last = s;
      if (event.type === 'task-failed') multi?.log(`${oneLine(event.message)}\n`);
      // A staged job: the bars are the running stage's, said once as each stage starts.
      if (s.stages && s.stage !== stage) multi?.log(`stage ${s.stage}/${s.stages}\n`);
      stage = s.stage;
      bars.map.setTotal(s.mapsTotal);
      bars.map.update(s.mapsDone);
      bars.reduce.setTotal(s.reducesTotal);
      bars.reduce.update(s.reducesDone);
    },
    done: () => {
      multi?.stop();
      if (last && last.state !== 'running') {
        const took = last.finishedAt ? ` in ${durationText(last.finishedAt - last.submittedAt)}` : '';
        stream.write(`${last.jobId}: ${last.state}${took}\n`);
      }
    },
  };
}
