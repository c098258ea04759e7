import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ENVIRONMENT_VARIABLES, envMaster, envTokenFile } from '../../common/index.js';

const ROOT = path.resolve(__dirname, '..', '..', '..');

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'generated' ? [] : sources(full);
    return e.name.endsWith('.ts') ? [full] : [];
  });
}

describe('environment', () => {
  it('only common/environment.ts reads environment variables', () => {
    const readers: string[] = [];
    for (const top of ['common', 'proto', 'storage', 'master', 'worker', 'sdk']) {
      for (const file of sources(path.join(ROOT, top))) {
        const rel = path.relative(ROOT, file);
        if (rel === path.join('common', 'environment.ts')) continue;
        // Handing the whole environment to a child (`...process.env`) is not reading it.
        const text = fs.readFileSync(file, 'utf8').replace(/\.\.\.process\.env\b/g, '');
        if (/process\.env\b/.test(text)) readers.push(rel);
      }
    }
    assert.deepEqual(readers, []);
  });

  it('every variable it reads is documented in the README', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    for (const v of Object.values(ENVIRONMENT_VARIABLES))
      assert.ok(readme.includes(v.name), `${v.name} is not in README.md`);
  });

  it('reads a variable when asked, not when loaded', () => {
    const saved = { master: process.env['MR_MASTER'], token: process.env['MR_TOKEN_FILE'] };
    try {
      process.env['MR_MASTER'] = 'm9:7071';
      process.env['MR_TOKEN_FILE'] = '';
      assert.equal(envMaster(), 'm9:7071');
      assert.equal(envTokenFile(), '');
      delete process.env['MR_MASTER'];
      delete process.env['MR_TOKEN_FILE'];
      assert.equal(envMaster(), undefined);
      assert.equal(envTokenFile(), undefined);
    } finally {
      for (const [name, value] of [
        ['MR_MASTER', saved.master],
        ['MR_TOKEN_FILE', saved.token],
      ] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });
});
