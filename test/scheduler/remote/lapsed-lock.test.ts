/**
 * A worker's BullMQ lock lapses (the process is stopped with SIGSTOP past its lock, as a long
 * event-loop block would): BullMQ hands its jobs to another worker, and the stalled worker, once
 * resumed, finishes them too. Each item must still be counted done once across the workers.
 * Workers count an item on BullMQ's `completed`, which only the execution holding the lock gets.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { nearestLabelResponder } from '../../helpers/openai-server.js';
import { startCli, waitFor } from '../../helpers/cli.js';
import { getLabelSet } from '../../../src/labels/label-sets.js';
import { classifyOutput, onlyRun, withRemoteProject } from './remote-project.js';

const ROWS = 8;
const LOCK_MS = 1000;
const responder = nearestLabelResponder(getLabelSet('basic7')!.points);

test('a lapsed lock: the stalled worker finishes its jobs too, yet each item is counted done once', { timeout: 120_000 }, async () => {
  await withRemoteProject('remote-lapsed-lock', { rows: ROWS, workers: 2, server: { responder, latencyMs: 600 }, worker: { lockMs: LOCK_MS } }, async ({ dir, server, workers, runArgs }) => {
    const run = startCli(['run', 'classify.yaml', ...runArgs], { cwd: dir });
    await waitFor(() => server.requests.chat >= 2, 60_000);
    const stalled = workers.all[0]!.child;
    stalled.kill('SIGSTOP');
    // Past twice the lock: the other worker's stalled check moves the jobs back to wait.
    await new Promise((r) => setTimeout(r, 4 * LOCK_MS));
    stalled.kill('SIGCONT');
    const result = await run.done;
    assert.equal(result.code, 0, result.stderr);
    const { records, errors } = await classifyOutput(onlyRun(path.join(dir, 'runs')));
    assert.deepEqual(errors, []);
    assert.deepEqual(records.map((r) => r.id), Array.from({ length: ROWS }, (_, i) => `item-${i}`));
    const outputs = await workers.stop();
    const done = outputs.map((o) => Number(/stopped after (\d+) items/.exec(o.stderr)?.[1] ?? NaN));
    assert.equal(done[0]! + done[1]!, ROWS, `items counted done by the workers: ${done.join(' + ')}`);
  });
});
