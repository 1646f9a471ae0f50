import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runPipeline, type RunResult } from '../../src/run/run-pipeline.js';
import { promptHash, startOpenAIServer } from '../helpers/openai-server.js';
import { withTempDir } from '../helpers/temp-dir.js';
import { studyPipeline, studyResponder } from './fixtures/study-pipeline.js';

/** metrics.json without what legitimately differs between runs (its creation time). */
function metricsOf(result: RunResult): string {
  const doc = JSON.parse(readFileSync(path.join(result.runDir, 'metrics.json'), 'utf8')) as Record<string, unknown>;
  delete doc.createdAt;
  return JSON.stringify(doc, null, 1);
}

/** Every task output file of a run, by name: records and errors in input order diff cleanly. */
function taskFiles(result: RunResult): Record<string, string> {
  const dir = path.join(result.runDir, 'tasks');
  return Object.fromEntries(readdirSync(dir).sort().map((name) => [name, readFileSync(path.join(dir, name), 'utf8')]));
}

test('metrics.json and every task file are the same bytes cold, cached, at concurrency 1 and 16, and under injected 429s', async () => {
  // Latency is random per request, so calls complete in a different order on every run.
  const server = await startOpenAIServer({
    responder: async (request) => {
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 12)));
      return studyResponder(request);
    },
  });
  try {
    await withTempDir('determinism', async (dir) => {
      const run = async (name: string, concurrency: number, cacheDir = name) => {
        const file = path.join(dir, `${name}.yaml`);
        writeFileSync(file, studyPipeline({ url: server.url, defaults: `concurrency: ${concurrency}` }));
        const result = await runPipeline({ file, runsDir: path.join(dir, 'runs'), cacheDir: path.join(dir, cacheDir), env: {}, concurrency });
        assert.equal(result.status, 'completed', `${name}: ${JSON.stringify(result.tasks, null, 1)}`);
        return result;
      };
      const cold = await run('cold', 16);
      const calls = server.requests.total;
      const cached = await run('cached', 16, 'cold');
      assert.equal(server.requests.total, calls, 'the rerun is served from the cache');
      assert.ok(Object.values(cached.tasks).every((s) => s.cacheMisses === 0));
      const serial = await run('serial', 1);
      const wide = await run('wide', 16);

      // The first attempt of every third prompt gets a 429; its retry succeeds.
      const seen = new Map<string, number>();
      let injected = 0;
      server.rule = (request) => {
        const hash = promptHash(request.messages) + request.model;
        const n = seen.get(hash) ?? 0;
        seen.set(hash, n + 1);
        if (n > 0 || parseInt(hash.slice(0, 2), 16) % 3 !== 0) return undefined;
        injected++;
        return { type: 'status', status: 429, retryAfterMs: 1 };
      };
      const faulted = await run('faulted', 16);
      server.rule = undefined;
      assert.ok(injected > 20, `${injected} 429s injected`);
      assert.ok(Object.values(faulted.tasks).reduce((n, s) => n + s.retries, 0) >= injected, 'every 429 was retried');

      const expected = metricsOf(cold);
      assert.ok(JSON.parse(expected).groups.length >= 5, 'classification and similarity groups were scored');
      for (const [name, other] of Object.entries({ cached, serial, wide, faulted })) {
        assert.equal(metricsOf(other), expected, `${name}: metrics.json differs from the cold run`);
        assert.deepEqual(taskFiles(other), taskFiles(cold), `${name}: task files differ from the cold run`);
      }
    });
  } finally {
    await server.close();
  }
});
