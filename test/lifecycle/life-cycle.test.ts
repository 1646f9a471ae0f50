import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { CompositeLifeCycle } from '../../src/lifecycle/life-cycle.js';
import type { RunLifeCycle } from '../../src/types/run-events.js';
import { EventsFileLifeCycle } from '../../src/lifecycle/events-file.js';
import { ManifestLifeCycle } from '../../src/lifecycle/manifest-writer.js';
import { RunIOError } from '../../src/errors.js';
import type { Manifest } from '../../src/artifacts/manifest.js';
import { withTempDir } from '../helpers/temp-dir.js';

test('every part gets runEnd even when an earlier one fails; the first failure is rethrown', async () => {
  const ended: string[] = [];
  const broken: RunLifeCycle = { runEnd: () => { ended.push('manifest'); throw new Error('disk full'); } };
  const events: RunLifeCycle = { runEnd: () => void ended.push('events') };
  await assert.rejects(new CompositeLifeCycle([broken, events]).runEnd('failed', { durationMs: 1 }), /disk full/);
  assert.deepEqual(ended, ['manifest', 'events']);
});

test('events.jsonl on a full disk reports a RunIOError naming the file once, and runEnd throws it', async () => {
  await withTempDir('events', async (dir) => {
    const file = path.join(dir, 'events.jsonl');
    symlinkSync('/dev/full', file);
    const reported: RunIOError[] = [];
    const events = new EventsFileLifeCycle(file, (error) => reported.push(error), () => 'T');
    events.log({ level: 'info', message: 'x'.repeat(1000) });
    await assert.rejects(events.runEnd('failed', { durationMs: 5, failure: 'cause' }), (e: unknown) => e instanceof RunIOError && e.message === `cannot write ${file}: no space left on device (ENOSPC)`);
    assert.equal(reported.length, 1);
  });
});

test('the manifest records the run\'s failure cause, and the run_end event carries it', async () => {
  await withTempDir('manifest', async (dir) => {
    const manifest = { status: 'running', tasks: {}, totals: {} } as unknown as Manifest;
    const writer = new ManifestLifeCycle(path.join(dir, 'manifest.json'), manifest, () => 'T');
    const events = new EventsFileLifeCycle(path.join(dir, 'events.jsonl'), () => undefined, () => 'T');
    await new CompositeLifeCycle([events, writer]).runEnd('failed', { durationMs: 7, failure: 'cannot write x: no space left on device (ENOSPC)' });
    const written = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as Manifest;
    assert.deepEqual([written.status, written.failure], ['failed', 'cannot write x: no space left on device (ENOSPC)']);
    assert.equal(readFileSync(path.join(dir, 'events.jsonl'), 'utf8'), '{"time":"T","event":"run_end","status":"failed","durationMs":7,"cause":"cannot write x: no space left on device (ENOSPC)"}\n');
  });
});
