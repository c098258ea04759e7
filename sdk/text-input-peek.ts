import { UserError } from '../common/index.js';
import { inputCodecOf, isResultUri } from '../proto/formats/index.js';
import { storageFor } from '../storage/index.js';
import { codecMismatch, nonTextMessage, nonTextReason, readHead } from '../worker/index.js';

/** Input files the client peeks at before a submission; past it only the workers check. */
const MAX_PEEKED_FILES = 1000;

/**
 * Refuses, before anything is submitted, an input file this host can read that is not
 * text, or is named as compressed (`.gz`, `.zst`) and is not (the same tests and the same read through the storage seam as the map tasks',
 * worker/task-runtime/text-input-check.ts), so `mr run data.gz` fails at once.
 * Directories, inputs this host cannot read (or whose scheme it has no backend for) and
 * files past the first MAX_PEEKED_FILES are left to the master and the workers, which
 * check every file they map.
 * @throws UserError naming the file.
 */
export async function refuseNonTextInputs(inputs: readonly string[]): Promise<void> {
  for (const input of inputs.slice(0, MAX_PEEKED_FILES)) {
    // An earlier job's results (mr://) are records, not text, and are the master's to find.
    if (isResultUri(input)) continue;
    let head: Buffer;
    try {
      if ((await storageFor(input).stat(input)).kind !== 'object') continue;
      head = await readHead(input);
    } catch {
      continue; // not ours to read: the master and the workers will say what is wrong
    }
    // A .gz or .zst input is decompressed by the map task: its first bytes must be the codec's.
    if (inputCodecOf(input) !== undefined) {
      const mismatch = codecMismatch(input, head);
      if (mismatch !== undefined) throw new UserError(mismatch);
      continue;
    }
    const why = nonTextReason(head);
    if (why !== undefined) throw new UserError(nonTextMessage(input, why));
  }
}
