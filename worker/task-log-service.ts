import { RequestRejectedError } from '../common/index.js';
import { isValidId } from '../proto/formats/index.js';
import { toServiceError } from '../proto/wire/index.js';
import type { TaskLogLine } from '../proto/wire/generated/groove/TaskLogLine';
import type { WorkerHandlers } from '../proto/wire/generated/groove/Worker';
import type { StoredLogLine, TaskLogStore } from './task-log-store.js';

/** A stored line as it goes on the wire, with the worker it is from. */
function toWire(line: StoredLogLine, workerId: string): TaskLogLine {
  return {
    taskId: line.taskId,
    attempt: line.attempt,
    workerId,
    time: line.time,
    level: line.level,
    message: line.message,
    endOffset: line.endOffset,
  };
}

/**
 * Worker.ReadTaskLogs: a job's attempt logs held here (one task's when asked), each from
 * the offset the request gives; with `follow`, then every line appended, until the caller
 * cancels. The subscription is made and the files read in one turn of the event loop,
 * where the store's synchronous writes cannot fall between: no line is missed or repeated.
 */
export function readTaskLogsHandler(store: TaskLogStore, workerId: string): WorkerHandlers['ReadTaskLogs'] {
  return (call) => {
    const { jobId, taskId, follow, from } = call.request;
    if (!isValidId(jobId) || (taskId !== '' && !isValidId(taskId))) {
      call.emit('error', toServiceError(new RequestRejectedError(`bad job or task id ${JSON.stringify(taskId)}`)));
      return;
    }
    const task = taskId === '' ? undefined : taskId;
    const unsubscribe = follow
      ? store.subscribe(jobId, (line) => {
          if (task === undefined || line.taskId === task) call.write(toWire(line, workerId));
        })
      : undefined;
    for (const line of store.read(jobId, task, from)) call.write(toWire(line, workerId));
    if (!unsubscribe) {
      call.end();
      return;
    }
    call.on('cancelled', unsubscribe);
    call.on('error', unsubscribe);
  };
}
