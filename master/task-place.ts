import type { InputPiece } from './input-splitter.js';
import type { TaskPlace } from './job-event.js';
import type { Task } from './task.js';

/** Where a task works, as its events name it. */
export function placeOf(task: Task): TaskPlace {
  const s = task.split;
  if (!s) return { partition: task.index };
  const { path, start, length } = s.pieces[0] as InputPiece;
  return s.pieces.length === 1
    ? { input: path, start, length }
    : { input: path, start, length, more: s.pieces.length - 1 };
}
