import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { durationText, parseDuration, UserError } from '../../common/index.js';

describe('parseDuration', () => {
  it('reads a whole number and one unit', () => {
    assert.equal(parseDuration('retention', '7d'), 7 * 86_400_000);
    assert.equal(parseDuration('retention', '12h'), 12 * 3_600_000);
    assert.equal(parseDuration('retention', '30m'), 30 * 60_000);
    assert.equal(parseDuration('retention', '90s'), 90_000);
    assert.equal(parseDuration('retention', '250ms'), 250);
    assert.equal(parseDuration('retention', '2D'), 2 * 86_400_000);
  });

  it('refuses anything else in one line naming the flag and the value', () => {
    for (const bad of ['', '7', 'd', '1.5h', '-1s', '7 days', '1w', '10s5m', 'never', '999999999999d']) {
      assert.throws(
        () => parseDuration('retention', bad, 1000),
        (err: unknown) => {
          assert.ok(err instanceof UserError);
          assert.match(err.message, /^--retention must be a duration of at least 1s such as 7d/);
          assert.ok(err.message.endsWith(`, got '${bad}'`), err.message);
          assert.ok(!err.message.includes('\n'));
          return true;
        },
        bad,
      );
    }
    assert.throws(() => parseDuration('retention', '500ms', 1000), /at least 1s/);
    assert.equal(parseDuration('reconnect-timeout', '0s'), 0);
    assert.throws(() => parseDuration('reconnect-timeout', 'soon'), {
      message: /^--reconnect-timeout must be a duration such as 7d/,
    });
  });

  it('writes a duration back in its largest whole unit', () => {
    assert.equal(durationText(7 * 86_400_000), '7d');
    assert.equal(durationText(60_000), '1m');
    assert.equal(durationText(90_000), '90s');
    assert.equal(durationText(1500), '1500ms');
    assert.equal(durationText(0), '0ms');
    for (const text of ['7d', '12h', '30m', '90s', '250ms']) assert.equal(durationText(parseDuration('x', text)), text);
  });
});
