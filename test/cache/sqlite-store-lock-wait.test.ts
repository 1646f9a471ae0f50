import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VaflowError } from '../../src/errors.js';
import { committedKeys, withSqliteStore } from './fixtures/sqlite-fixture.js';
import { holdLockInWorker } from './fixtures/worker-lock.js';

// How long a write waits for another connection's lock. Two waits add up: SQLite's own busy wait
// inside one statement (at most 5 s, and never more than lockTimeoutMs), and the store's retries
// until lockTimeoutMs has passed since the first attempt. The lock here is held by a worker thread,
// which releases it on its own timer while the write blocks this thread; the tests assert what
// happens (failed or committed), never how long it took.

const item = { namespace: 'item', origin: 'classify[model=m]' };

test('a write gives up after lockTimeoutMs even when SQLite\'s own busy wait (5 s) would have outlasted the lock', () =>
  withSqliteStore(async ({ open, connect, file }) => {
    const store = open({ flushDelayMs: 60_000, lockTimeoutMs: 200 });
    // Released 3 s after it is taken: within SQLite's default 5 s wait, long after 200 ms.
    const lock = await holdLockInWorker(file, 3_000);
    try {
      assert.throws(
        () => store.put('paid', 'answer', { ...item, durable: true }),
        (error: unknown) => error instanceof VaflowError && error.message === `cache ${file}: still locked by another process after 200 ms`,
      );
    } finally {
      await lock.stop();
    }
    assert.equal(store.get('paid'), 'answer', 'still readable in this process');
    store.flush();
    assert.deepEqual(committedKeys(connect()), ['paid']);
  }));

test('while lockTimeoutMs has not passed, a write retries past SQLite\'s busy wait until the lock is gone (clock stopped)', (t) =>
  withSqliteStore(async ({ open, connect, file }) => {
    // SQLite waits at most lockTimeoutMs (50 ms) per attempt and the lock is held ~800 ms, so only
    // the store's own retries get the write through; with the clock stopped, 50 ms never pass for them.
    const store = open({ flushDelayMs: 60_000, lockTimeoutMs: 50 });
    const lock = await holdLockInWorker(file, 800);
    t.mock.timers.enable({ apis: ['Date'], now: 1_000_000 });
    try {
      store.put('paid', 'answer', { ...item, durable: true });
    } finally {
      t.mock.timers.reset();
      await lock.stop();
    }
    assert.deepEqual(committedKeys(connect()), ['paid']);
  }));
