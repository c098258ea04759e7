import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { globSync } from 'tinyglobby';
import { ROOT } from '../helpers/cli.js';

/** The groups scripts/test.sh runs, as [group, file] pairs (its `--list` mode runs nothing). */
function testScriptGroups(): [string, string][] {
  const out = execFileSync('bash', [path.join(ROOT, 'scripts', 'test.sh'), '--list'], { cwd: ROOT, encoding: 'utf8' });
  return out
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split('\t') as [string, string]);
}

describe('npm test', () => {
  it('is scripts/test.sh', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    assert.equal(pkg.scripts['test'], 'bash scripts/test.sh');
  });

  it('runs every test file once and nothing else (no fixture or helper counted as a test)', () => {
    const listed = testScriptGroups();
    const files = listed.map(([, f]) => path.normalize(f)).sort();
    for (const f of files) assert.match(f, /\.test\.js$/, `${f} is not a test file`);
    const expected = globSync('test/**/*.test.ts', { cwd: ROOT })
      .map((f) => path.normalize(path.join('dist', f.replace(/\.ts$/, '.js'))))
      .sort();
    assert.ok(expected.length > 10);
    assert.deepEqual(files, expected);
    assert.deepEqual([...new Set(listed.map(([g]) => g))].sort(), ['INTEGRATION', 'SERIAL', 'UNIT']);
  });
});
