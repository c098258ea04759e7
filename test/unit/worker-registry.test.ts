import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { GrooveError } from '../../common/index.js';
import { IllegalTransitionError, WorkerRegistry, assertWorkerTransition } from '../../master/index.js';
import type { WorkerEntry, WorkerRegistration, WorkerState } from '../../master/index.js';

function registration(id: string, over: Partial<WorkerRegistration> = {}): WorkerRegistration {
  return {
    id,
    dataAddress: `10.0.0.1:${7000 + Number(id.slice(1))}`,
    slots: 2,
    hostname: 'h',
    send: () => {},
    disconnect: () => {},
    ...over,
  };
}

/** The transition `from -> to` of worker w1 throws, naming the worker and both states. */
function assertIllegal(fn: () => void, from: WorkerState, to: WorkerState): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof IllegalTransitionError && err instanceof GrooveError, String(err));
    assert.deepEqual([err.subject, err.id, err.from, err.to], ['worker', 'w1', from, to]);
    assert.equal(err.message, `illegal worker transition ${from} -> ${to} (worker w1)`);
    return true;
  });
}

describe('WorkerRegistry', () => {
  it('allows exactly alive -> draining -> lost and alive -> lost', () => {
    const states: WorkerState[] = ['alive', 'draining', 'lost'];
    const legal = new Set(['alive->draining', 'alive->lost', 'draining->lost']);
    for (const from of states) {
      for (const to of states) {
        if (legal.has(`${from}->${to}`)) assert.doesNotThrow(() => assertWorkerTransition('w1', from, to));
        else assertIllegal(() => assertWorkerTransition('w1', from, to), from, to);
      }
    }
  });

  it('registers a worker alive, drains it once, and loses it with its attempts', () => {
    const workers = new WorkerRegistry();
    const before = Date.now();
    const w = workers.register(registration('w1'));
    assert.equal(w.state, 'alive');
    assert.ok(w.lastSeen >= before && w.lastSeen <= Date.now());
    assert.deepEqual([workers.alive(), workers.connected()], [[w], [w]]);
    workers.attemptStarted(w, 'job/map-00000/0');
    workers.attemptStarted(w, 'job/map-00001/0');
    workers.attemptEnded(w, 'job/map-00000/0');
    assert.deepEqual([...w.running], ['job/map-00001/0']);
    workers.touch(w, before + 12_345);
    assert.equal(w.lastSeen, before + 12_345);

    assert.equal(workers.drain(w), true);
    assert.equal(w.state, 'draining');
    assert.equal(workers.drain(w), false, 'a second drain request changes nothing');
    assert.deepEqual([workers.alive(), workers.connected()], [[], [w]]);

    workers.markLost(w);
    assert.equal(w.state, 'lost');
    assert.equal(w.running.size, 0, 'nothing runs on a lost worker');
    assert.deepEqual([workers.connected(), workers.all()], [[], [w]]);
    assert.equal(workers.drain(w), false, 'a lost worker does not drain');
    assertIllegal(() => workers.markLost(w), 'lost', 'lost');
  });

  it('gives a returning worker a fresh entry only once the old one is lost', () => {
    const workers = new WorkerRegistry();
    const old = workers.register(registration('w1'));
    workers.attemptStarted(old, 'job/map-00000/0');
    assert.throws(() => workers.register(registration('w1')), /worker w1 registered again while alive/);
    workers.markLost(old);
    const back = workers.register(registration('w1', { dataAddress: '10.0.0.1:9999' }));
    assert.notEqual(back, old);
    assert.deepEqual([back.state, back.dataAddress, back.running.size], ['alive', '10.0.0.1:9999', 0]);
    assert.equal(workers.get('w1'), back);
    // The old session may still report: that touches the old entry only.
    workers.touch(old, 1);
    workers.attemptEnded(old, 'job/map-00000/0');
    assert.notEqual(back.lastSeen, 1);
  });

  it('changes only entries it made', () => {
    const workers = new WorkerRegistry();
    const made = workers.register(registration('w1'));
    const forged: WorkerEntry = { ...made, state: 'alive', running: new Set() };
    assert.throws(() => workers.markLost(forged), /worker w1 is not an entry of this registry/);
    assert.throws(() => new WorkerRegistry().drain(made), /not an entry of this registry/);
  });

  it('hands out entries the compiler keeps read-only', () => {
    const w = new WorkerRegistry().register(registration('w1'));
    // Never run: it only has to fail to compile if an entry became writable.
    const writes = (): void => {
      // @ts-expect-error a worker's state changes only through the registry
      w.state = 'lost';
      // @ts-expect-error so does its last heartbeat
      w.lastSeen = 0;
      // @ts-expect-error and the attempts running there
      w.running.add('x');
    };
    assert.equal(typeof writes, 'function');
    assert.equal(w.state, 'alive');
  });
});
