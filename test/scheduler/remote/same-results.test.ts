/**
 * The same pipeline run in-process and on two `vaflow worker` processes through a real redis-server
 * gives the same metrics.json and the same task files, byte for byte, and pays for the same requests:
 * items whose prompts are equal share one call across workers (the chat-answer exchange), and a
 * rerun with the executor is served from the coordinator's cache without a job.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Manifest } from '../../../src/artifacts/manifest.js';
import { listRunIds } from '../../../src/artifacts/run-folder.js';
import { promptHash, startOpenAIServer } from '../../helpers/openai-server.js';
import { runCli } from '../../helpers/cli.js';
import { withTempDir } from '../../helpers/temp-dir.js';
import { startRedisServer } from '../../helpers/redis-server.js';
import { startWorkers } from '../../helpers/vaflow-workers.js';
import { studyPipeline, studyResponder } from '../fixtures/study-pipeline.js';

/** metrics.json without what differs between runs by design: its creation time and the run id. */
function metricsOf(runDir: string): string {
  const doc = JSON.parse(readFileSync(path.join(runDir, 'metrics.json'), 'utf8')) as Record<string, unknown>;
  delete doc.createdAt;
  delete doc.runId;
  return JSON.stringify(doc, null, 1);
}

function taskFiles(runDir: string): Record<string, string> {
  const dir = path.join(runDir, 'tasks');
  return Object.fromEntries(readdirSync(dir).sort().map((name) => [name, readFileSync(path.join(dir, name), 'utf8')]));
}

function manifestOf(runDir: string): Manifest {
  return JSON.parse(readFileSync(path.join(runDir, 'manifest.json'), 'utf8')) as Manifest;
}

test('in-process and on two workers: the same metrics.json, task files, counters and paid requests; a warm rerun sends no job', { timeout: 180_000 }, async () => {
  const server = await startOpenAIServer({
    // Random latency: answers come back in another order on every run and every worker.
    responder: async (request) => {
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 10)));
      return studyResponder(request);
    },
  });
  const redis = await startRedisServer();
  try {
    await withTempDir('remote-same', async (dir) => {
      writeFileSync(path.join(dir, 'study.yaml'), studyPipeline({ url: server.url, defaults: 'concurrency: 8' }));
      const run = async (cacheDir: string, extra: string[] = []) => {
        const before = new Set(listRunIds(path.join(dir, 'runs')));
        const result = await runCli(['run', 'study.yaml', '--runs-dir', 'runs', '--cache-dir', cacheDir, ...extra], { cwd: dir });
        assert.equal(result.code, 0, result.stderr);
        const id = listRunIds(path.join(dir, 'runs')).find((r) => !before.has(r))!;
        return { runDir: path.join(dir, 'runs', id), stderr: result.stderr };
      };

      const local = await run('cache-local');
      const localRequests = server.requests.chat;
      const distinct = new Set(server.requests.bodies.map((b) => b.model + promptHash(b.messages))).size;
      assert.equal(localRequests, distinct, 'in-process: one request per distinct prompt and model');
      server.resetCounts();

      const workers = await startWorkers(2, { redis: redis.url, cwd: dir });
      try {
        const remote = await run('cache-remote', ['--executor', redis.url]);
        assert.match(remote.stderr, /2 workers connected/);
        assert.equal(server.requests.chat, localRequests, 'on workers: the same requests, each paid once');
        assert.equal(metricsOf(remote.runDir), metricsOf(local.runDir), 'metrics.json is the same');
        assert.deepEqual(taskFiles(remote.runDir), taskFiles(local.runDir), 'every task file is the same');
        const [l, r] = [manifestOf(local.runDir), manifestOf(remote.runDir)];
        assert.deepEqual(r.totals, l.totals, 'items, cache hits and misses, retries and tokens are counted alike');
        assert.equal(r.options.executor, redis.url);
        const jobsByWorker = (await workers.stop()).map((w) => Number(/stopped after (\d+) items/.exec(w.stderr)?.[1]));
        assert.ok(jobsByWorker.every((n) => n > 0), `both workers took jobs: ${jobsByWorker}`);

        server.resetCounts();
        const again = await startWorkers(1, { redis: redis.url, cwd: dir });
        const warm = await run('cache-remote', ['--executor', redis.url]);
        const [worker] = await again.stop();
        assert.equal(server.requests.total, 0, 'the warm rerun calls no model');
        assert.match(worker!.stderr, /stopped after 0 items/, 'and sends no job: the coordinator looked its cache up first');
        assert.equal(metricsOf(warm.runDir), metricsOf(local.runDir));
      } finally {
        await workers.stop();
      }
    });
  } finally {
    await redis.close();
    await server.close();
  }
});
