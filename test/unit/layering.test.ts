import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..', '..');

/**
 * Which units each unit may import from (docs/architecture.md, "Map of folders": dependencies point one way). A unit is
 * a top folder, except proto/, which holds two: the wire and the data formats.
 */
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  common: ['common'],
  'proto/formats': ['proto/formats', 'common'],
  'proto/wire': ['proto/wire', 'proto/formats', 'common'],
  storage: ['storage', 'proto/formats', 'common'],
  master: ['master', 'storage', 'proto/wire', 'proto/formats', 'common'],
  worker: ['worker', 'storage', 'proto/wire', 'proto/formats', 'common'],
  sdk: ['sdk', 'master', 'worker', 'storage', 'proto/wire', 'proto/formats', 'common'],
  jobs: ['jobs'],
  bench: ['bench', 'jobs', 'sdk', 'master', 'worker', 'storage', 'proto/wire', 'proto/formats', 'common'],
  test: ['test', 'jobs', 'sdk', 'master', 'worker', 'storage', 'proto/wire', 'proto/formats', 'common'],
};

/** Folders entered only through their index.ts, at every depth (test, bench and jobs are not libraries). */
const LIBRARIES = ['common', 'proto', 'storage', 'master', 'worker', 'sdk'];

function unitOf(rel: string): string {
  const parts = rel.split(path.sep);
  return parts[0] === 'proto' ? `proto/${parts[1] ?? ''}` : (parts[0] as string);
}

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'generated' || e.name === 'data' ? [] : sources(full);
    return e.name.endsWith('.ts') ? [full] : [];
  });
}

/**
 * The index an import from `from` to `target` must go through, or undefined when it may
 * name the file: a file sees the files of its own folder and of the folders above it, and
 * enters any other folder through that folder's index.ts (docs/architecture.md), so moving
 * files inside a folder never reaches past it.
 */
export function requiredEntry(from: string, target: string): string | undefined {
  if (!LIBRARIES.includes(target.split(path.sep)[0] as string) || target.split(path.sep).includes('generated'))
    return undefined;
  const a = path.dirname(from).split(path.sep);
  const t = target.split(path.sep);
  let i = 0;
  while (i < a.length && i < t.length - 1 && a[i] === t[i]) i++;
  // proto/ has no index of its own: its two units are entered through theirs.
  if (i === 0 && t[0] === 'proto') i = 1;
  if (t.length - i === 1) return undefined;
  const entry = path.join(...t.slice(0, i + 1), 'index.js');
  return entry === target ? undefined : entry;
}

describe('layering', () => {
  const units = new Set(Object.keys(ALLOWED));
  it('covers every folder of the repository that holds TypeScript sources', () => {
    const tops = fs
      .readdirSync(ROOT, { withFileTypes: true })
      .filter((e) => e.isDirectory() && !e.name.startsWith('.') && !['node_modules', 'dist', 'docs'].includes(e.name))
      .flatMap((e) =>
        e.name === 'proto' ? fs.readdirSync(path.join(ROOT, 'proto')).map((n) => `proto/${n}`) : [e.name],
      )
      .filter((top) => sources(path.join(ROOT, top)).length > 0);
    for (const top of tops) assert.ok(units.has(top), `${top}/ is in no unit of the layering`);
  });
  for (const [unit, allowed] of Object.entries(ALLOWED)) {
    it(`${unit}/ imports only from ${allowed.join(', ')}, and other folders only through their index`, () => {
      const files = sources(path.join(ROOT, unit));
      assert.ok(files.length > 0);
      for (const file of files) {
        const from = path.relative(ROOT, file);
        const text = fs.readFileSync(file, 'utf8');
        for (const m of text.matchAll(/(?:from|import\()\s*'(\.[^']+)'/g)) {
          const target = path.relative(ROOT, path.resolve(path.dirname(file), m[1] as string));
          const top = unitOf(target);
          assert.ok(allowed.includes(top), `${from} imports ${m[1]} (${top}/)`);
          const entry = requiredEntry(from, target.replace(/\.ts$/, '.js'));
          assert.equal(entry, undefined, `${from} reaches past ${entry}: ${m[1]}`);
        }
      }
    });
  }
});
