import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { checkJobDefinition, isMapOnly } from '../../common/index.js';
import type { JobDefinition, Key } from '../../common/index.js';

type AnyJob = JobDefinition<Key, unknown, Key, unknown, unknown>;
const map = (): void => undefined;

describe('map-only and hook options in defineJob', () => {
  it('takes reduce: false and partitions: 0 as map-only, nothing else', () => {
    assert.equal(isMapOnly(checkJobDefinition({ map, reduce: false })), true);
    assert.equal(isMapOnly(checkJobDefinition({ map, partitions: 0 })), true);
    assert.equal(isMapOnly(checkJobDefinition({ map, partitions: 0, reduce: false })), true);
    assert.equal(isMapOnly(checkJobDefinition({ map })), false);
    assert.equal(isMapOnly(checkJobDefinition({ map, partitions: 3, reduce: map })), false);
  });

  it('refuses what a map-only job cannot use, naming it', () => {
    const refused: [AnyJob, RegExp][] = [
      [
        { map, reduce: false, combine: (a: unknown) => a },
        /combine cannot be used in a map-only job \(reduce: false\)/,
      ],
      [{ map, partitions: 0, partition: () => 0 }, /partition cannot be used in a map-only job \(partitions: 0\)/],
      [{ map, reduce: false, reduceSetup: map }, /reduceSetup cannot be used in a map-only job/],
      [{ map, reduce: false, reduceCleanup: map }, /reduceCleanup cannot be used in a map-only job/],
      [{ map, reduce: false, partitions: 2 }, /partitions cannot be used in a map-only job \(reduce: false\)/],
      [{ map, reduce: map, partitions: 0 }, /has a reduce function and partitions: 0; say reduce: false/],
    ];
    for (const [job, message] of refused) assert.throws(() => checkJobDefinition(job), message);
  });

  it('refuses a reduce that is neither a function nor false, and hooks that are not functions', () => {
    assert.throws(
      () => checkJobDefinition({ map, reduce: true } as unknown as AnyJob),
      /reduce must be a function, or false/,
    );
    for (const hook of ['mapSetup', 'mapCleanup', 'reduceSetup', 'reduceCleanup'])
      assert.throws(() => checkJobDefinition({ map, [hook]: 'x' }), new RegExp(`the job's ${hook} must be a function`));
  });

  it('suggests the hook a typo meant', () => {
    assert.throws(() => checkJobDefinition({ map, mapSetUp: map } as unknown as AnyJob), /did you mean mapSetup\?/);
  });
});
