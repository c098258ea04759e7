import { UserError } from '../common/index.js';
import type { JobReader } from '../common/index.js';
import { inputCodecOf } from '../proto/formats/index.js';
import type { InputFile } from './input-splitter.js';

/**
 * The input files of a job as its reader needs them split. A compressed file (`.gz`,
 * `.zst`, by name) cannot be cut at a byte offset, and a CSV file cannot be cut where a
 * record boundary is not certain (a quoted field may hold a line end), so both are read
 * whole, one map task each (small ones may still be packed whole with others, as small
 * files are). An earlier job's results (mr://) give `[key, value]` records: a job whose
 * reader reads text (named explicitly) would get records it does not expect, so it is
 * refused here, in one line, before any task runs.
 * @param reader - The job's reader; undefined when the job names none (lines, and records for mr://).
 * @throws UserError naming the mr:// input and the reader.
 */
export function asReadBy(files: readonly InputFile[], reader: JobReader | undefined): InputFile[] {
  return files.map((file) => {
    const records = file.result !== undefined || file.jsonRecords === true;
    if (records) {
      if (reader !== undefined && reader !== 'records')
        throw new UserError(
          `input ${file.path} gives [key, value] records, but the job's reader is ${reader}: use reader 'records' (or none) for mr:// inputs`,
        );
      return file;
    }
    const whole = reader === 'csv' || inputCodecOf(file.path) !== undefined;
    return whole && file.splittable !== false ? { ...file, splittable: false } : file;
  });
}
