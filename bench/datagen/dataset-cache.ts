import * as fs from 'node:fs';
import * as path from 'node:path';

/** A generated data set: its directory and its files, in order. */
export interface Dataset {
  readonly dir: string;
  readonly files: readonly string[];
  readonly bytes: number;
}

// Hidden, so a directory given as a job's input (hidden files skipped) holds only the data.
const MANIFEST = '.manifest.json';

interface Manifest {
  readonly recipe: unknown;
  readonly files: readonly { readonly name: string; readonly size: number }[];
}

/**
 * Returns the data set in `dir` if it was made from the same recipe and every file is
 * still there with its size; otherwise wipes the directory and calls `make`, which writes
 * the files and returns their names. Generating 700 MB costs more than a quick run, so
 * data is reused across runs.
 */
export function cachedDataset(dir: string, recipe: unknown, make: (dir: string) => string[]): Dataset {
  const manifestPath = path.join(dir, MANIFEST);
  try {
    const m = JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as Manifest;
    const intact = m.files.every((f) => fs.statSync(path.join(dir, f.name)).size === f.size);
    if (intact && JSON.stringify(m.recipe) === JSON.stringify(recipe)) return toDataset(dir, m);
  } catch {
    // absent or unreadable: make it
  }
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const names = make(dir);
  const manifest: Manifest = {
    recipe,
    files: names.map((name) => ({ name, size: fs.statSync(path.join(dir, name)).size })),
  };
  // Written last: an interrupted generation leaves no manifest and is redone.
  fs.writeFileSync(manifestPath, JSON.stringify(manifest));
  return toDataset(dir, manifest);
}

function toDataset(dir: string, m: Manifest): Dataset {
  return { dir, files: m.files.map((f) => path.join(dir, f.name)), bytes: m.files.reduce((n, f) => n + f.size, 0) };
}
