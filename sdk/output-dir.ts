import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../common/index.js';
import { PART_FILE_NAME, SUCCESS_FILE, partFileName } from '../proto/formats/index.js';

export { SUCCESS_FILE, partFileName };

/** Prefix of the hidden directory a run writes its part files into before they move in. */
export const OUTPUT_TMP_PREFIX = '.tmp-';

/** What of an earlier run's results a directory holds: its part files and _SUCCESS. */
function resultFilesIn(dir: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return [];
    if (code === 'ENOTDIR') throw new UserError(`--output ${dir}: not a directory`, { cause: err });
    throw new UserError(`--output ${dir}: cannot read it: ${(err as Error).message}`, { cause: err });
  }
  return names.filter((n) => PART_FILE_NAME.test(n) || n === SUCCESS_FILE).sort();
}

/**
 * Refuses an output directory that already holds results (part files or _SUCCESS), unless
 * `overwrite`: a second job writing fewer partitions would otherwise leave the first job's
 * extra part files beside its own. Cheap, so commands call it before running anything.
 */
export function checkOutputDir(dir: string, overwrite: boolean): void {
  const existing = resultFilesIn(dir);
  if (existing.length && !overwrite) {
    throw new UserError(
      `--output ${dir} already holds results (${existing.length} files: ${existing.slice(0, 2).join(', ')}${existing.length > 2 ? ', ...' : ''}); pass --overwrite to replace them, or choose another directory`,
    );
  }
}

/**
 * An output directory being written: part files go into a hidden `DIR/.tmp-XXXXXX/` and
 * move in only on {@link commit}, so a failed or interrupted run never leaves part files
 * at the top of DIR, and the old results are replaced as a whole. The commit removes the old
 * _SUCCESS first, then the old part files, renames the new ones in, and writes _SUCCESS
 * last: a crash in the middle leaves DIR without _SUCCESS (and perhaps some new part files
 * and the hidden directory with the rest), which a reader recognizes as incomplete and
 * the next run (with --overwrite) replaces.
 */
export class OutputDir {
  private done = false;
  private readonly removeOnExit = (): void => fs.rmSync(this.tmp, { recursive: true, force: true });

  private constructor(
    /** The directory the results end up in. */
    readonly dir: string,
    /** Where the part files are written until the commit. */
    readonly tmp: string,
  ) {
    // A process that exits without commit or abort (a signal turned into process.exit) leaves no hidden directory.
    process.on('exit', this.removeOnExit);
  }

  /** Checks the directory (see {@link checkOutputDir}), creates it and the hidden one inside. */
  static open(dir: string, overwrite: boolean): OutputDir {
    checkOutputDir(dir, overwrite);
    try {
      fs.mkdirSync(dir, { recursive: true });
      return new OutputDir(dir, fs.mkdtempSync(path.join(dir, OUTPUT_TMP_PREFIX)));
    } catch (err) {
      throw new UserError(`--output ${dir}: cannot write into it: ${(err as Error).message}`, { cause: err });
    }
  }

  /** Where to write a partition's part file until the commit. */
  partPath(partition: number): string {
    return path.join(this.tmp, partFileName(partition));
  }

  /** Replaces the directory's results with the new part files as a whole, _SUCCESS last. */
  commit(): void {
    this.finish();
    fs.rmSync(path.join(this.dir, SUCCESS_FILE), { force: true });
    for (const name of resultFilesIn(this.dir)) fs.rmSync(path.join(this.dir, name), { force: true });
    for (const name of fs.readdirSync(this.tmp)) fs.renameSync(path.join(this.tmp, name), path.join(this.dir, name));
    fs.rmdirSync(this.tmp);
    fs.writeFileSync(path.join(this.dir, SUCCESS_FILE), '');
  }

  /** Removes what was written; the directory's old results stay as they were. */
  abort(): void {
    this.finish();
    this.removeOnExit();
  }

  private finish(): void {
    if (this.done) throw new Error('output directory already committed or aborted');
    this.done = true;
    process.off('exit', this.removeOnExit);
  }
}
