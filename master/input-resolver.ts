import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../common/index.js';
import type { InputFile } from './input-splitter.js';

/** The most input files one job may name (after expanding directories). */
export const MAX_INPUT_FILES = 100_000;

/**
 * Turns the inputs of a submission into files with sizes. A directory stands for every
 * file under it (sorted, hidden files skipped, as Hadoop's FileInputFormat does). Paths
 * must be absolute: the master and the workers read them at the same path.
 */
export async function resolveInputs(inputs: readonly string[]): Promise<InputFile[]> {
  if (inputs.length === 0) throw new UserError('no input given');
  const files: InputFile[] = [];
  for (const input of inputs) {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(input)) throw new UserError(`input ${input}: URL inputs are not supported yet; copy the data to a path the workers can read`);
    if (!path.isAbsolute(input)) throw new UserError(`input ${input}: must be an absolute path`);
    let stat: fs.Stats;
    try {
      stat = await fs.promises.stat(input);
    } catch {
      throw new UserError(`input not found: ${input}`);
    }
    if (stat.isDirectory()) await addDirectory(input, files);
    else if (stat.isFile()) files.push({ path: input, size: stat.size });
    else throw new UserError(`input ${input}: not a regular file or directory`);
    if (files.length > MAX_INPUT_FILES) throw new UserError(`too many input files (more than ${MAX_INPUT_FILES})`);
  }
  return files;
}

async function addDirectory(dir: string, files: InputFile[]): Promise<void> {
  const entries = (await fs.promises.readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    if (e.name.startsWith('.') || e.name.startsWith('_')) continue;
    const full = path.join(dir, e.name);
    if (e.isDirectory()) await addDirectory(full, files);
    else if (e.isFile()) files.push({ path: full, size: (await fs.promises.stat(full)).size });
    if (files.length > MAX_INPUT_FILES) return;
  }
}
