import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT, runMr } from '../helpers/cli.js';

/** The 1-based line of `file` (relative to the repository) carrying the comment `THROW:mark`. */
function markedLine(file: string, mark: string): number {
  const lines = fs.readFileSync(path.join(ROOT, file), 'utf8').split('\n');
  const i = lines.findIndex((l) => l.includes(`// THROW:${mark}`));
  assert.ok(i >= 0, `${file} has no THROW:${mark} mark`);
  return i + 1;
}

/** Escapes a string for a RegExp. */
function literal(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

describe("errors of job code name the user's file and line (source maps), in every phase", () => {
  let dir: string;
  let input: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'groove-source-maps-'));
    input = path.join(dir, 'in.txt');
    fs.writeFileSync(input, 'a\nbb\na\nccc\n');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const told = 'test/fixtures/throws-where-told.ts';
  // helper: the frame is a function the map calls, so the first frame is in the helper.
  for (const [phase, shown] of [
    ['map', 'map'],
    ['helper', 'map'],
    ['combine', 'combine'],
    ['reduce', 'reduce'],
    ['partition', 'partition'],
  ] as const) {
    it(`${phase}: the one-line error ends with the line that threw`, async () => {
      const r = await runMr(['run', told, '--input', input, '--param', `throw=${phase}`, '--max-attempts', '1']);
      assert.notEqual(r.code, 0);
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, r.stderr);
      const at = `${told}:${markedLine(told, phase)}`;
      assert.match(
        lines[0] as string,
        new RegExp(`${shown} threw on .*Error: thrown in ${phase} \\(at ${literal(at)}\\)$`),
      );
    });
  }

  it('a binary-fold combiner: its line', async () => {
    const file = 'test/fixtures/throws-in-fold.ts';
    const r = await runMr(['run', file, '--input', input, '--max-attempts', '1']);
    assert.notEqual(r.code, 0);
    assert.match(
      r.stderr.trim(),
      new RegExp(`combine threw on .*thrown in fold \\(at ${literal(`${file}:${markedLine(file, 'fold')}`)}\\)$`),
    );
  });

  it('a top-level statement that throws as the job loads: refused at submit with its line', async () => {
    const file = 'test/fixtures/throws-at-load.ts';
    const r = await runMr(['run', file, '--input', input]);
    assert.notEqual(r.code, 0);
    assert.match(
      r.stderr.trim(),
      new RegExp(
        `^mr: throws-at-load\\.ts: failed to load: .*JSON.* \\(at ${literal(`${file}:${markedLine(file, 'load')}`)}\\)$`,
      ),
    );
  });

  it('a job file outside the working directory is named by its absolute path', async () => {
    const file = path.join(dir, 'outside.ts');
    const lines = [
      "import { defineJob } from 'groove-mr';",
      '',
      'export default defineJob({',
      '  map(line: string) {',
      "    throw new Error('outside ' + line); // THROW:outside",
      '  },',
      '});',
      '',
    ];
    fs.writeFileSync(file, lines.join('\n'));
    const r = await runMr(['run', file, '--input', input, '--max-attempts', '1']);
    assert.notEqual(r.code, 0);
    const line = lines.findIndex((l) => l.includes('THROW:outside')) + 1;
    assert.match(r.stderr.trim(), new RegExp(`Error: outside a \\(at ${literal(`${file}:${line}`)}\\)$`));
  });
});
