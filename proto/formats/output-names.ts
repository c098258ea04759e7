/** The marker written last into an output directory or prefix, once every part file is in place (Hadoop's name). */
export const SUCCESS_FILE = '_SUCCESS';

/** Where the attempts of jobs writing to an output store put their part files until the commit (Hadoop's name). */
export const TEMPORARY_DIR = '_temporary';

/** A part file's name in an output directory or prefix: `part-` and the partition, five digits or more. */
export const PART_FILE_NAME = /^part-\d{5,}$/;

/** The part file name of a partition in an output directory or prefix. */
export function partFileName(partition: number): string {
  return `part-${String(partition).padStart(5, '0')}`;
}
