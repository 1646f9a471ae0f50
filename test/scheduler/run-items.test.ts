import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { runPipeline } from '../../src/run/run-pipeline.js';
import { orderWindow } from '../../src/scheduler/run-items.js';
import { startFlakyServer } from '../helpers/flaky-server.js';
import { makeEngineProject, httpPipeline } from '../helpers/engine-project.js';

function ids(runDir: string, suffix: string): string[] {
  const name = readdirSync(path.join(runDir, 'tasks')).find((f) => f.startsWith('call') && f.endsWith(suffix) && (suffix === '.errors.jsonl' || !f.endsWith('.errors.jsonl')));
  assert.ok(name, `no call*${suffix}`);
  return readFileSync(path.join(runDir, 'tasks', name), 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { id: string }).id);
}

test('records and errors are written in input order; a slow first item holds back at most the order window', async () => {
  const rows = 600;
  const window = orderWindow(8);
  const server = await startFlakyServer({ faults: { 'item-0': ['slow'], 'item-5': ['bad-request'], 'item-300': ['bad-request'] }, slowMs: 6000 });
  const project = makeEngineProject(rows);
  try {
    project.writePipeline(httpPipeline({ url: server.url, settings: 'concurrency: 8, timeoutMs: 20000, maxErrorRate: 0.5' }));
    let peakWhileHeld = 0;
    const watch = setInterval(() => {
      if (!server.answered.get('item-0')) peakWhileHeld = Math.max(peakWhileHeld, server.total());
    }, 5);
    const result = await runPipeline({ file: project.pipeline, runsDir: project.runsDir, cacheDir: project.cacheDir, env: {}, concurrency: 8 });
    clearInterval(watch);
    assert.equal(result.status, 'completed');
    // Work went on behind the slow item (concurrency kept), but never past the window (memory kept).
    assert.ok(peakWhileHeld <= window, `${peakWhileHeld} requests were started while item-0 was pending (window ${window})`);
    assert.ok(peakWhileHeld >= window - 8, `only ${peakWhileHeld} requests went on behind the slow item`);
    const expected = Array.from({ length: rows }, (_, i) => `item-${i}`);
    assert.deepEqual(ids(result.runDir, '.jsonl'), expected.filter((id) => id !== 'item-5' && id !== 'item-300'));
    assert.deepEqual(ids(result.runDir, '.errors.jsonl'), ['item-5', 'item-300']);
  } finally {
    await server.close();
    project.cleanup();
  }
});

/** The records of a task file, parsed, in file order. */
function records(runDir: string, name: string): Record<string, unknown>[] {
  return readFileSync(path.join(runDir, 'tasks', name), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
}

test('an item task writes each input relabelled with its node and coordinates plus exactly the kind\'s fields, computed and from the cache alike', async () => {
  const server = await startFlakyServer();
  const project = makeEngineProject(40);
  try {
    project.writePipeline(httpPipeline({ url: server.url }));
    for (const run of ['cold', 'cached']) {
      const result = await runPipeline({ file: project.pipeline, runsDir: project.runsDir, cacheDir: project.cacheDir, env: {} });
      assert.equal(result.status, 'completed', run);
      const inputs = new Map(records(result.runDir, 'items.jsonl').map((r) => [r.id, r]));
      const outputs = records(result.runDir, 'call.jsonl');
      assert.equal(outputs.length, 40, run);
      for (const output of outputs) {
        const input = inputs.get(output.id)!;
        const carried = Object.keys(input).filter((k) => k !== 'id' && k !== 'node' && k !== 'coords');
        // The fixture kind (http-call.mjs) adds these four fields, in this order, and nothing else.
        assert.deepEqual(Object.keys(output), ['id', 'node', 'coords', ...carried, 'prediction', 'answer', 'valid', 'labelSet'], `${run}: ${output.id}`);
        assert.equal(output.node, 'call');
        assert.deepEqual(output.coords, {});
        for (const key of carried) assert.deepEqual(output[key], input[key], `${run}: ${output.id}.${key}`);
        assert.equal(typeof output.prediction, 'string');
        assert.equal(output.answer, output.prediction);
        assert.equal(output.valid, true);
        assert.equal(output.labelSet, 'basic7');
      }
    }
    // The second run was served from the cache.
    assert.equal(server.total(), 40);
  } finally {
    await server.close();
    project.cleanup();
  }
});
