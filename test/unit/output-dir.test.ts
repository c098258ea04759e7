import { after, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkOutputDir, OutputDir } from '../../sdk/index.js';
import { UserError } from '../../common/index.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'groove-output-dir-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));

function contents(dir: string): Record<string, string> {
  return Object.fromEntries(
    fs
      .readdirSync(dir)
      .sort()
      .map((n) => [n, fs.readFileSync(path.join(dir, n), 'utf8')]),
  );
}

function write(out: OutputDir, parts: number): void {
  for (let p = 0; p < parts; p++) fs.writeFileSync(out.partPath(p), `new ${p}\n`);
}

describe('OutputDir', () => {
  it('writes into a hidden directory and moves the parts in, _SUCCESS last, on commit', () => {
    const dir = path.join(root, 'fresh');
    const out = OutputDir.open(dir, false);
    write(out, 2);
    assert.deepEqual(fs.readdirSync(dir), [path.basename(out.tmp)], 'nothing at the top before the commit');
    assert.match(path.basename(out.tmp), /^\.tmp-/);
    out.commit();
    assert.deepEqual(contents(dir), { _SUCCESS: '', 'part-00000': 'new 0\n', 'part-00001': 'new 1\n' });
  });

  it('refuses a directory holding part files or _SUCCESS, naming --overwrite', () => {
    const dir = path.join(root, 'held');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'part-00003'), 'old\n');
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'mine\n');
    assert.throws(
      () => checkOutputDir(dir, false),
      (err: Error) => err instanceof UserError && /already holds results .*part-00003.*--overwrite/.test(err.message),
    );
    assert.throws(() => OutputDir.open(dir, false), UserError);
    assert.deepEqual(fs.readdirSync(dir).sort(), ['notes.txt', 'part-00003']);
    // Other files do not count as results.
    assert.doesNotThrow(() => checkOutputDir(path.join(root, 'missing'), false));
  });

  it('with overwrite, replaces every old part file and keeps other files', () => {
    const dir = path.join(root, 'replace');
    fs.mkdirSync(dir);
    for (const n of ['part-00000', 'part-00001', 'part-00002', 'part-00003', '_SUCCESS', 'notes.txt'])
      fs.writeFileSync(path.join(dir, n), 'old\n');
    const out = OutputDir.open(dir, true);
    write(out, 2);
    out.commit();
    assert.deepEqual(contents(dir), {
      _SUCCESS: '',
      'notes.txt': 'old\n',
      'part-00000': 'new 0\n',
      'part-00001': 'new 1\n',
    });
  });

  it('abort (a failed run) removes what was written and leaves the old results', () => {
    const dir = path.join(root, 'abort');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'part-00000'), 'old\n');
    const out = OutputDir.open(dir, true);
    write(out, 3);
    out.abort();
    assert.deepEqual(contents(dir), { 'part-00000': 'old\n' });
  });

  it('says when DIR is a file', () => {
    const file = path.join(root, 'a-file');
    fs.writeFileSync(file, '');
    assert.throws(() => OutputDir.open(file, false), /--output .*a-file: not a directory/);
  });
});
