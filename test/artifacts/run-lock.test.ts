import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { LOCK_FILE, RunLockLifeCycle, runLiveness, STALE_AFTER_MS, type RunLock } from '../../src/artifacts/run-lock.js';
import { withTempDir } from '../helpers/temp-dir.js';

const T0 = new Date('2025-03-01T12:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

function writeLock(dir: string, lock: Partial<RunLock>): void {
  writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify({ pid: 4242, host: 'lab-1', startedAt: T0.toISOString(), heartbeatAt: T0.toISOString(), ...lock }));
}

test('a run counts as live only with a lock whose process exists (same host) and whose heartbeat is fresh', async () => {
  await withTempDir('lock', async (dir) => {
    assert.deepEqual(runLiveness(dir, { now: T0, host: 'lab-1', processExists: () => true }).live, false, 'no lock: the process ended without recording the end');

    writeLock(dir, {});
    const alive = (pid: number) => pid === 4242;
    assert.equal(runLiveness(dir, { now: at(5_000), host: 'lab-1', processExists: alive }).live, true);
    const gone = runLiveness(dir, { now: at(5_000), host: 'lab-1', processExists: () => false });
    assert.equal(gone.live, false);
    assert.match(gone.reason, /^process 4242 on lab-1 is gone \(last heartbeat 5 s ago\)$/);
    // A live pid with a heartbeat older than STALE_AFTER_MS: the pid was reused (say, after a reboot).
    assert.equal(runLiveness(dir, { now: at(STALE_AFTER_MS + 1), host: 'lab-1', processExists: alive }).live, false);
    // Another host: the pid means nothing here; the heartbeat decides.
    const never = () => assert.fail('a process on another host is not looked up here');
    assert.equal(runLiveness(dir, { now: at(STALE_AFTER_MS - 1), host: 'lab-2', processExists: never }).live, true);
    const silent = runLiveness(dir, { now: at(STALE_AFTER_MS + 1), host: 'lab-2', processExists: never });
    assert.equal(silent.live, false);
    assert.match(silent.reason, /^no heartbeat from process 4242 on lab-1 since 2025-03-01T12:00:00\.000Z/);

    writeFileSync(path.join(dir, LOCK_FILE), '{"pid": 4242, "ho');
    assert.equal(runLiveness(dir, { now: T0, host: 'lab-1', processExists: alive }).live, false, 'a torn lock holds nothing');
  });
});

test('RunLockLifeCycle writes the lock at the start, refreshes the heartbeat, removes it at the end', async () => {
  await withTempDir('lock', async (dir) => {
    let now = T0;
    const life = new RunLockLifeCycle(dir, { now: () => now, heartbeatMs: 20 });
    life.runStart();
    const first = JSON.parse(readFileSync(path.join(dir, LOCK_FILE), 'utf8')) as RunLock;
    assert.equal(first.pid, process.pid);
    assert.equal(first.heartbeatAt, T0.toISOString());
    assert.equal(runLiveness(dir, { now: at(1000) }).live, true, 'this process, this host');
    now = at(60_000);
    const until = Date.now() + 5000;
    while ((JSON.parse(readFileSync(path.join(dir, LOCK_FILE), 'utf8')) as RunLock).heartbeatAt !== now.toISOString()) {
      assert.ok(Date.now() < until, 'the heartbeat was refreshed');
      await new Promise((r) => setTimeout(r, 10));
    }
    const beat = JSON.parse(readFileSync(path.join(dir, LOCK_FILE), 'utf8')) as RunLock;
    assert.equal(beat.startedAt, T0.toISOString());
    life.runEnd();
    assert.equal(existsSync(path.join(dir, LOCK_FILE)), false);
  });
});
