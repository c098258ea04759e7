import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import {
  GrooveError,
  JobFailedError,
  JobFileError,
  MasterUnavailableError,
  NotFoundError,
} from '../../common/index.js';
import { PreconditionFailedError, RequestRejectedError, UserError } from '../../common/index.js';
import { BlockChecksumError, RecordFileError, UnstorableValueError } from '../../proto/formats/index.js';
import { grpcStatusOf, toServiceError } from '../../proto/wire/index.js';
import {
  FetchFailedError,
  LocalWriteError,
  NonTextInputError,
  TaskAttemptError,
  UserCodeError,
} from '../../worker/index.js';
import { GrooveClient, Master, packJobFile } from '../../sdk/index.js';

const ROOT = path.resolve(__dirname, '..', '..', '..');

/** Every `class X extends Y` of the library folders, by name, read from the sources. */
function declaredClasses(): Map<string, { base: string; file: string }> {
  const classes = new Map<string, { base: string; file: string }>();
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'generated') walk(full);
      } else if (e.name.endsWith('.ts')) {
        for (const m of fs.readFileSync(full, 'utf8').matchAll(/\bclass (\w+) extends (\w+)/g)) {
          classes.set(m[1] as string, { base: m[2] as string, file: path.relative(ROOT, full) });
        }
      }
    }
  };
  for (const top of ['common', 'proto', 'master', 'worker', 'sdk']) walk(path.join(ROOT, top));
  return classes;
}

describe('one error family', () => {
  it('every error class of the sources descends from GrooveError', () => {
    const classes = declaredClasses();
    const errors = [...classes].filter(([name]) => name.endsWith('Error') || name.endsWith('Refused'));
    assert.ok(errors.length >= 15, `found only ${errors.length} error classes`);
    for (const [name, { file }] of errors) {
      let at = name;
      const seen = new Set<string>();
      while (at !== 'GrooveError') {
        const entry = classes.get(at);
        assert.ok(entry && !seen.has(at), `${name} (${file}) extends ${at}, which is not a GrooveError`);
        seen.add(at);
        at = entry.base;
      }
    }
  });

  it('the exported error classes are GrooveErrors named after their class, keeping their cause', () => {
    const cause = new Error('the original');
    const made: readonly Error[] = [
      new UserError('u', { cause }),
      new JobFileError('job.ts', 'broken', { cause }),
      new MasterUnavailableError('m:1', { cause }),
      new RequestRejectedError('no', { cause }),
      new NotFoundError('gone', { cause }),
      new PreconditionFailedError('never', { cause }),
      new FetchFailedError(['map-00001'], 'lost', { cause }),
      new LocalWriteError('/x', cause),
      new UserCodeError('map', cause, 'line 3'),
      new TaskAttemptError({ message: 'failed', user: false }, { cause }),
      new RecordFileError('/f', 7, 'bad varint', { cause }),
      new BlockChecksumError('/f', 9, 'bad block', { cause }),
    ];
    for (const err of made) {
      assert.ok(err instanceof GrooveError, `${err.constructor.name} is not a GrooveError`);
      assert.equal(err.name, err.constructor.name);
      assert.equal(err.cause, cause, `${err.name} lost its cause`);
    }
    for (const err of [
      new JobFailedError('j', 'x'),
      new NonTextInputError('/in', 'gzip-compressed'),
      new UnstorableValueError('a function'),
    ]) {
      assert.ok(err instanceof GrooveError, `${err.name} is not a GrooveError`);
    }
  });

  it('a UserCodeError keeps what the job threw as its cause, with its stack', () => {
    const thrown = new RangeError('bad count');
    const err = new UserCodeError('reduce', thrown, 'key "a"');
    assert.equal(err.cause, thrown);
    assert.equal(err.stack, thrown.stack);
    assert.equal(err.message, 'reduce threw on key "a": RangeError: bad count');
    assert.equal(new UserCodeError('map', 'a string', 'line 1').cause, 'a string');
  });
});

describe('grpcStatusOf', () => {
  it('chooses the code by class, not by message', () => {
    assert.equal(grpcStatusOf(new NotFoundError('no such job: j1')), grpc.status.NOT_FOUND);
    assert.equal(grpcStatusOf(new NotFoundError('anything at all')), grpc.status.NOT_FOUND);
    // The old rule matched this text; a plain user error saying it is a bad argument.
    assert.equal(grpcStatusOf(new UserError('no such job: j1')), grpc.status.INVALID_ARGUMENT);
    assert.equal(
      grpcStatusOf(new PreconditionFailedError('unreachable data address')),
      grpc.status.FAILED_PRECONDITION,
    );
    assert.equal(grpcStatusOf(new RequestRejectedError('bad reference')), grpc.status.INVALID_ARGUMENT);
    assert.equal(grpcStatusOf(new RangeError('out of range')), grpc.status.INVALID_ARGUMENT);
    assert.equal(grpcStatusOf(new TypeError('not a string')), grpc.status.INVALID_ARGUMENT);
    assert.equal(grpcStatusOf(new BlockChecksumError('/p', 0, 'bad block')), grpc.status.DATA_LOSS);
    assert.equal(grpcStatusOf(new RecordFileError('/p', 0, 'bad record')), grpc.status.DATA_LOSS);
    assert.equal(grpcStatusOf(new Error('a bug')), grpc.status.INTERNAL);
    assert.equal(grpcStatusOf('a string'), grpc.status.INTERNAL);
  });

  it('a service error carries the message as details', () => {
    const sent = toServiceError(new NotFoundError('no such job: j1'));
    assert.equal(sent.code, grpc.status.NOT_FOUND);
    assert.equal(sent.details, 'no such job: j1');
    assert.equal(
      toServiceError(new BlockChecksumError('/p', 3, 'bad'), 'part 0 is corrupt').details,
      'part 0 is corrupt',
    );
  });

  it('an unknown job is NOT_FOUND from a real master and a NotFoundError in the client', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'groove-errors-'));
    const master = await Master.start({ port: 0, dataDir });
    const client = new GrooveClient({ master: master.address });
    try {
      await assert.rejects(client.status('j-no-such-job'), (err: unknown) => {
        assert.ok(err instanceof NotFoundError, `got ${String(err)}`);
        assert.equal(err.message, 'no such job: j-no-such-job');
        assert.equal((err.cause as grpc.ServiceError).code, grpc.status.NOT_FOUND);
        return true;
      });
      // A refusal that is not about a missing thing stays a plain RequestRejectedError.
      const packed = await packJobFile(path.join(ROOT, 'jobs', 'wordcount.ts'));
      await assert.rejects(
        client.submitPacked(packed, { inputs: [path.join(ROOT, 'README.md')], partitions: 1_000_000 }),
        (err: unknown) => {
          assert.ok(err instanceof RequestRejectedError && !(err instanceof NotFoundError), `got ${String(err)}`);
          return true;
        },
      );
    } finally {
      client.close();
      await master.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
