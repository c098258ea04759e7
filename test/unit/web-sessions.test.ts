import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { MAX_SESSIONS, SESSION_IDLE_MS, WebSessions, sessionCookie } from '../../master/index.js';

describe("the web UI's sessions", () => {
  it('knows the sessions it made, and forgets one at logout', () => {
    const sessions = new WebSessions();
    const a = sessions.create();
    assert.match(a, /^[0-9a-f]{64}$/);
    assert.ok(sessions.check(a));
    assert.ok(!sessions.check('0'.repeat(64)));
    assert.ok(!sessions.check(undefined));
    sessions.end(a);
    assert.ok(!sessions.check(a));
  });

  it('ends a session left idle too long, and a used one lives on', () => {
    let now = 1_000_000;
    const sessions = new WebSessions(() => now);
    const idle = sessions.create();
    const used = sessions.create();
    now += SESSION_IDLE_MS - 1;
    assert.ok(sessions.check(used));
    now += 2;
    assert.ok(!sessions.check(idle));
    assert.ok(sessions.check(used));
  });

  it('keeps at most MAX_SESSIONS, dropping the least recently used', () => {
    const sessions = new WebSessions();
    const first = sessions.create();
    const second = sessions.create();
    assert.ok(sessions.check(first));
    for (let i = 2; i < MAX_SESSIONS + 1; i++) sessions.create();
    assert.equal(sessions.size, MAX_SESSIONS);
    assert.ok(!sessions.check(second));
    assert.ok(sessions.check(first));
  });

  it('reads its cookie among others', () => {
    assert.equal(sessionCookie('a=1; groove_session=abc; b=2'), 'abc');
    assert.equal(sessionCookie('groove_sessionx=abc'), undefined);
    assert.equal(sessionCookie(undefined), undefined);
  });
});
