import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { ManifestLifeCycle } from '../../src/lifecycle/manifest-writer.js';
import type { Manifest } from '../../src/artifacts/manifest.js';
import { emptyStats } from '../../src/types/task-stats.js';
import type { TaskNode } from '../../src/types/graph.js';
import { printRunSummary } from '../../src/cli/run-summary.js';
import { withTempDir } from '../helpers/temp-dir.js';

// Reasons reach the manifest and the summary from more places than item errors (a task that throws,
// the orchestrator): the sinks redact whatever they are given.
const KEY = 'sk-proj-sinkTest0123456789abcdef';
const reason = `extract failed: server said Authorization: Bearer ${KEY}`;
const task: TaskNode = { id: 'terms', nodeId: 'terms', kind: 'extract', coords: {}, params: {}, settings: { concurrency: 1, retries: 0, timeoutMs: 1, maxErrorRate: 0, retryBudget: 0 }, axisParams: [] };

test('the manifest writer redacts task reasons before they reach manifest.json', async () => {
  await withTempDir('sinks', async (dir) => {
    const file = path.join(dir, 'manifest.json');
    const manifest: Manifest = {
      manifestVersion: 1, runId: 'r', vaflowVersion: '0', pipeline: { name: 'p', file: 'p.yaml', sha256: 'x', gitCommit: null }, kinds: {},
      environment: { node: 'v20', os: 'linux', arch: 'x64', cpus: 1 }, dependencies: {}, seed: 1, options: { cache: 'on', concurrency: 1 },
      status: 'running', startedAt: '', attempts: [], tasks: {}, totals: { items: 0, errors: 0, cacheHits: 0, cacheMisses: 0, retries: 0, inputTokens: 0, outputTokens: 0 },
    };
    const life = new ManifestLifeCycle(file, manifest);
    await life.taskEnd(task, { ...emptyStats('failed'), reason });
    const written = readFileSync(file, 'utf8');
    assert.ok(!written.includes(KEY));
    assert.match(written, /Bearer \[REDACTED\]/);
  });
});

test('the run summary redacts task reasons before printing them', async () => {
  await withTempDir('sinks', async (dir) => {
    let printed = '';
    const out = new Writable({ write(chunk: Buffer, _encoding, done) { printed += chunk.toString(); done(); } });
    printRunSummary({ status: 'failed', runDir: dir, tasks: { terms: { ...emptyStats('failed'), reason } }, pipeline: { warnings: [] }, graph: { roots: ['terms'], tasks: {}, dependencies: { terms: [] }, order: ['terms'] } }, out);
    assert.ok(!printed.includes(KEY));
    assert.match(printed, /failed terms: extract failed: server said Authorization: Bearer \[REDACTED\]/);
  });
});
