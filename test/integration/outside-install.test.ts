import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT, mrEnv, runProcess } from '../helpers/cli.js';

/** The job a user writes in a project of their own, as the README shows it. */
const JOB = `import { defineJob } from 'groove-mr';

export default defineJob<string, number>({
  name: 'count',
  map(line, emit) {
    for (const w of line.split(/\\s+/)) if (w) emit(w, 1);
  },
  combine: (a: number, b: number) => a + b,
  reduce(word, counts, emit) {
    let n = 0;
    for (const c of counts) n += c;
    emit(word, n);
  },
});
`;

/** A job with a data file in its pack, typed through groove-mr/pack-files (docs/pack-files.md). */
const STOP_JOB = `/// <reference types="groove-mr/pack-files" />
import { defineJob } from 'groove-mr';
import stopText from './stop.txt';

const stop = new Set(stopText.split('\\n').filter((w) => w));

export default defineJob<string, number>({
  map(line, emit) {
    for (const w of line.split(/\\s+/)) if (w && !stop.has(w)) emit(w, 1);
  },
  reduce(word, counts, emit) {
    let n = 0;
    for (const c of counts) n += c;
    emit(word, n);
  },
});
`;

/** The README's tsconfig.json for a project of jobs. */
const TSCONFIG = {
  compilerOptions: { target: 'ES2022', module: 'Node16', moduleResolution: 'Node16', strict: true, noEmit: true },
};

/** npm, next to the node running the tests. */
const NPM_CLI = path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js');

describe('a job in a project outside the repository (npm install <clone>)', () => {
  let project: string;

  before(async () => {
    project = fs.mkdtempSync(path.join(os.tmpdir(), 'groove-user-project-'));
    fs.writeFileSync(
      path.join(project, 'package.json'),
      JSON.stringify({ name: 'my-jobs', version: '1.0.0', private: true }),
    );
    fs.writeFileSync(path.join(project, 'tsconfig.json'), JSON.stringify(TSCONFIG));
    fs.writeFileSync(path.join(project, 'count.ts'), JOB);
    fs.writeFileSync(path.join(project, 'words.txt'), 'b a\nc a b\na\n');
    fs.writeFileSync(path.join(project, 'stop-count.ts'), STOP_JOB);
    fs.writeFileSync(path.join(project, 'stop.txt'), 'a\n');
    // A directory install links the clone; --offline proves no registry is needed for it.
    const npm = await runProcess(process.execPath, [NPM_CLI, 'install', '--offline', '--no-audit', '--no-fund', ROOT], {
      cwd: project,
      timeoutMs: 120_000,
    });
    assert.equal(npm.code, 0, npm.stderr);
  });
  after(() => fs.rmSync(project, { recursive: true, force: true }));

  it('installs the package as groove-mr with its mr command', () => {
    const pkg = JSON.parse(
      fs.readFileSync(path.join(project, 'node_modules', 'groove-mr', 'package.json'), 'utf8'),
    ) as { name: string };
    assert.equal(pkg.name, 'groove-mr');
    assert.ok(fs.existsSync(path.join(project, 'node_modules', '.bin', 'mr')));
  });

  it('type-checks the jobs importing defineJob from groove-mr (and a .txt file, typed by groove-mr/pack-files)', async () => {
    const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const r = await runProcess(process.execPath, [tsc, '-p', project], { cwd: project });
    assert.equal(r.code, 0, r.stdout + r.stderr);
  });

  it('refuses a job that misuses the types (the check is real)', async () => {
    fs.writeFileSync(
      path.join(project, 'wrong.ts'),
      `import { defineJob } from 'groove-mr';\nexport default defineJob({ map: 42 });\n`,
    );
    try {
      const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
      const r = await runProcess(process.execPath, [tsc, '-p', project], { cwd: project });
      assert.notEqual(r.code, 0);
      assert.match(r.stdout, /wrong\.ts/);
    } finally {
      fs.rmSync(path.join(project, 'wrong.ts'));
    }
  });

  it('runs it with mr run from the project', async () => {
    const mr = path.join(project, 'node_modules', '.bin', 'mr');
    const r = await runProcess(mr, ['run', 'count.ts', '--input', 'words.txt', '--slots', '1'], {
      cwd: project,
      env: mrEnv(),
    });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.stdout.trim().split('\n').sort(), ['a\t3', 'b\t2', 'c\t1']);
  });

  it('runs a job whose data file travels in its pack', async () => {
    const mr = path.join(project, 'node_modules', '.bin', 'mr');
    const r = await runProcess(mr, ['run', 'stop-count.ts', '--input', 'words.txt', '--slots', '1'], {
      cwd: project,
      env: mrEnv(),
    });
    assert.equal(r.code, 0, r.stderr);
    // The answer counted here: every word of words.txt but those of stop.txt.
    const stop = new Set(fs.readFileSync(path.join(project, 'stop.txt'), 'utf8').split('\n'));
    const counts = new Map<string, number>();
    for (const w of fs.readFileSync(path.join(project, 'words.txt'), 'utf8').split(/\s+/))
      if (w && !stop.has(w)) counts.set(w, (counts.get(w) ?? 0) + 1);
    assert.deepEqual(r.stdout.trim().split('\n').sort(), [...counts].map(([w, n]) => `${w}\t${n}`).sort());
  });
});
