import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { globSync } from 'tinyglobby';
import { ROOT } from '../helpers/cli.js';

/** The file arguments `npm test` gives `node --test` (the shell expands their globs). */
function testScriptFiles(): string[] {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  const run = (pkg.scripts['test'] ?? '')
    .split('&&')
    .map((s) => s.trim())
    .find((s) => s.startsWith('node --test'));
  assert.ok(run, 'npm test runs node --test');
  const args = run
    .split(/\s+/)
    .slice(2)
    .filter((a) => !a.startsWith('--'));
  return args
    .flatMap((a) => (/[*?]/.test(a) ? globSync(a, { cwd: ROOT }) : [a]))
    .map((f) => path.normalize(f))
    .sort();
}

describe('npm test', () => {
  it('runs every test file and nothing else (no fixture or helper counted as a test)', () => {
    const files = testScriptFiles();
    for (const f of files) assert.match(f, /\.test\.js$/, `${f} is not a test file`);
    const expected = globSync('test/**/*.test.ts', { cwd: ROOT })
      .map((f) => path.normalize(path.join('dist', f.replace(/\.ts$/, '.js'))))
      .sort();
    assert.ok(expected.length > 10);
    assert.deepEqual(files, expected);
  });
});
