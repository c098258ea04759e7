import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..', '..');

/** Which top folders each folder may import from (DESIGN.md: dependencies point one way). */
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  proto: ['proto'],
  common: ['common', 'proto'],
  master: ['master', 'common', 'proto'],
  worker: ['worker', 'common', 'proto'],
  sdk: ['sdk', 'master', 'worker', 'common', 'proto'],
};

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'generated' ? [] : sources(full);
    return e.name.endsWith('.ts') ? [full] : [];
  });
}

describe('layering', () => {
  for (const [folder, allowed] of Object.entries(ALLOWED)) {
    it(`${folder}/ imports only from ${allowed.join(', ')}`, () => {
      const files = sources(path.join(ROOT, folder));
      assert.ok(files.length > 0);
      for (const file of files) {
        const text = fs.readFileSync(file, 'utf8');
        for (const m of text.matchAll(/from '(\.[^']+)'/g)) {
          const target = path.relative(ROOT, path.resolve(path.dirname(file), m[1] as string));
          const top = target.split(path.sep)[0] as string;
          assert.ok(allowed.includes(top), `${path.relative(ROOT, file)} imports ${m[1]} (${top}/)`);
          // Another folder is entered only through its index.ts (STYLE.md habit 3).
          if (top !== folder) assert.equal(target, path.join(top, 'index.js'), `${path.relative(ROOT, file)} reaches past ${top}/index.ts: ${m[1]}`);
        }
      }
    });
  }
});
