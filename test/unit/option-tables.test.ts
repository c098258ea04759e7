import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkOption, flagHelp, optionFromFlag } from '../../common/index.js';
import type { OptionSpec } from '../../common/index.js';
import { MASTER_OPTION_TABLE, SUBMIT_OPTION_TABLE } from '../../master/index.js';
import { WORKER_OPTION_TABLE } from '../../worker/index.js';

const TABLES: Readonly<Record<string, Readonly<Record<string, OptionSpec>>>> = {
  master: MASTER_OPTION_TABLE,
  worker: WORKER_OPTION_TABLE,
  submit: SUBMIT_OPTION_TABLE,
};

describe('option tables', () => {
  it('hold defaults their own checks accept, and one field per flag', () => {
    for (const [component, table] of Object.entries(TABLES)) {
      const flags = new Set<string>();
      for (const [field, spec] of Object.entries(table)) {
        if (spec.default !== undefined)
          assert.equal(checkOption(field, spec, undefined), spec.default, `${component}.${field}`);
        assert.ok(
          spec.default !== undefined || spec.defaultText !== undefined,
          `${component}.${field} says nothing of its default`,
        );
        if (spec.flag !== undefined) {
          assert.ok(!flags.has(spec.flag), `${component}: --${spec.flag} twice`);
          flags.add(spec.flag);
          // The default, written in the flag's unit as the help shows it, reads back as the default.
          const shown = flagHelp(spec).defaultDescription;
          if (spec.default !== undefined && spec.defaultText === undefined) {
            assert.equal(
              optionFromFlag(spec, shown?.replace(' ', '')),
              spec.default,
              `${component} --${spec.flag} default ${String(shown)}`,
            );
          }
        }
      }
    }
  });

  it('turn a flag in its unit into the field in its own', () => {
    assert.equal(optionFromFlag(MASTER_OPTION_TABLE.workerTimeoutMs, '2.5'), 2500);
    assert.equal(optionFromFlag(MASTER_OPTION_TABLE.workerTimeoutMs, 7), 7000);
    assert.equal(optionFromFlag(SUBMIT_OPTION_TABLE.sortBufferBytes, '0.5'), 512 * 1024);
    assert.equal(optionFromFlag(SUBMIT_OPTION_TABLE.chunkSize, '64MiB'), 64 * 1024 * 1024);
    assert.equal(optionFromFlag(SUBMIT_OPTION_TABLE.chunkSize, '512k'), 512 * 1024);
    assert.equal(optionFromFlag(SUBMIT_OPTION_TABLE.partitions, '3'), 3);
    assert.equal(optionFromFlag(SUBMIT_OPTION_TABLE.partitions, undefined), undefined);
    assert.throws(() => optionFromFlag(SUBMIT_OPTION_TABLE.partitions, '3.5'), {
      message: '--partitions must be an integer from 1 to 10000, got 3.5',
    });
    assert.throws(() => optionFromFlag(SUBMIT_OPTION_TABLE.partitions, '0x10'), {
      message: "--partitions must be an integer from 1 to 10000, got '0x10'",
    });
    assert.throws(() => optionFromFlag(WORKER_OPTION_TABLE.port, ''), {
      message: "--port must be an integer from 0 to 65535, got ''",
    });
  });

  it('name the field, in its unit, for values set in code', () => {
    assert.throws(() => checkOption('sortBufferBytes', SUBMIT_OPTION_TABLE.sortBufferBytes, 1000), {
      message: 'sortBufferBytes must be an integer number of bytes from 65536 (64 KiB) to 4294967296 (4 GiB), got 1000',
    });
    assert.throws(() => checkOption('speculationFactor', MASTER_OPTION_TABLE.speculationFactor, 0.5), {
      message: 'speculationFactor must be a number of at least 1, got 0.5',
    });
    assert.equal(checkOption('speculationFactor', MASTER_OPTION_TABLE.speculationFactor, 1.5), 1.5);
    assert.throws(() => checkOption('prefetch', MASTER_OPTION_TABLE.prefetch, Number.NaN), {
      message: 'prefetch must be an integer from 1 to 16, got NaN',
    });
  });
});
