import * as fs from 'node:fs';
import { UserError } from '../common/index.js';
import { nonTextReason, TEXT_CHECK_BYTES } from '../worker/index.js';

/** Input files the client peeks at before a submission; past it only the workers check. */
const MAX_PEEKED_FILES = 1000;

/**
 * Refuses, before anything is submitted, an input file this host can read that is not
 * text (the same test as the map tasks', worker/task-runtime/text-input-check.ts), so
 * `mr run data.gz` fails at once. Directories, files this host cannot read and files past
 * the first MAX_PEEKED_FILES are left to the workers, which check every file they map.
 * @throws UserError naming the file.
 */
export function refuseNonTextInputs(inputs: readonly string[]): void {
  const head = Buffer.allocUnsafe(TEXT_CHECK_BYTES);
  for (const input of inputs.slice(0, MAX_PEEKED_FILES)) {
    let fd: number;
    try {
      if (!fs.statSync(input).isFile()) continue;
      fd = fs.openSync(input, 'r');
    } catch {
      continue; // not ours to read: the master and the workers will say what is wrong
    }
    let n: number;
    try {
      n = fs.readSync(fd, head, 0, TEXT_CHECK_BYTES, 0);
    } catch {
      continue;
    } finally {
      fs.closeSync(fd);
    }
    const why = nonTextReason(head.subarray(0, n));
    if (why !== undefined) throw new UserError(`input ${input} is ${why}, not text: decompress or convert it first (or set binaryText: true in the job to read it as text anyway)`);
  }
}
