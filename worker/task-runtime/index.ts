/** worker/task-runtime: the way into this folder. */
export {
  NonTextInputError,
  TEXT_CHECK_BYTES,
  codecMismatch,
  nonTextMessage,
  nonTextReason,
  readHead,
} from './text-input-check.js';
export { BadInputError } from './bad-input-error.js';
export { runMapTask } from './map-task.js';
export { runMapOnlyTask } from './map-only-task.js';
export { runReduceTask } from './reduce-task.js';
export { UserCodeError } from './user-code-error.js';
export { mergeSources } from './kway-merge.js';
export { RecordArena } from './record-arena.js';
export { DEFAULT_LINE_READ_BLOCK_SIZE, lineReadBlockSize, readLines } from './line-reader.js';
export type { LineReadResult } from './line-reader.js';
export { InMapCombiner } from './in-map-combiner.js';
export { MapOutputBuffer } from './map-output-buffer.js';
export { forEachGroup } from './group-by-key.js';
export { NOT_SHORT, SHORT_KEY_MAX_LENGTH, ShortKeyTable } from './short-key-table.js';
export { InMapFolder } from './in-map-folder.js';
export { SlabCache } from './slab-cache.js';
export type { ByteCombiner, MapOutputOptions } from './map-output-buffer.js';
export { readPiece } from './piece-reader.js';
export { createTaskContext } from './task-context.js';
