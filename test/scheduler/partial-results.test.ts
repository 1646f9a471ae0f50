import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli } from '../helpers/cli.js';
import { startOpenAIServer } from '../helpers/openai-server.js';
import { withTempDir } from '../helpers/temp-dir.js';
import { studyPipeline, studyResponder } from './fixtures/study-pipeline.js';
import { listRunIds } from '../../src/artifacts/run-folder.js';

interface ManifestTask { status: string; reason?: string; items: number; errors: number; missingInputs?: string[] }

test('one model whose server refuses every call (401) fails its tasks; the others are scored and reported, the failure listed everywhere, exit 1', async () => {
  const server = await startOpenAIServer({ responder: studyResponder });
  try {
    await withTempDir('partial', async (dir) => {
      const file = path.join(dir, 'study.yaml');
      // beta's server refuses its key: every one of its calls ends in a 401, which is not retried.
      server.rule = (request) => (request.model === 'beta' ? { type: 'status', status: 401 } : undefined);
      writeFileSync(file, studyPipeline({ url: server.url }));
      const result = await runCli(['run', file, '--runs-dir', path.join(dir, 'runs'), '--cache-dir', path.join(dir, 'cache')], { cwd: dir });
      assert.equal(result.code, 1, result.stderr);
      assert.doesNotMatch(result.stdout + result.stderr, /\n\s+at /, 'no stack trace');
      const runDir = path.join(dir, 'runs', listRunIds(path.join(dir, 'runs'))[0]!);
      const failed = ['classify[model=beta,variant=numeric]', 'classify[model=beta,variant=lexical]'];

      const manifest = JSON.parse(readFileSync(path.join(runDir, 'manifest.json'), 'utf8')) as { status: string; tasks: Record<string, ManifestTask> };
      assert.equal(manifest.status, 'failed');
      for (const id of failed) {
        assert.equal(manifest.tasks[id].status, 'failed');
        assert.match(manifest.tasks[id].reason ?? '', /error rate 100\.0%/);
        assert.deepEqual([manifest.tasks[id].items, manifest.tasks[id].errors], [63, 63]);
      }
      assert.equal(manifest.tasks.scores.status, 'done');
      assert.deepEqual(manifest.tasks.scores.missingInputs, failed);

      const metrics = JSON.parse(readFileSync(path.join(runDir, 'metrics.json'), 'utf8')) as { groups: { key: string; coords: Record<string, string> }[]; warnings: string[]; missingInputs: { task: string; status: string; items: number; errors: number; reason: string }[] };
      const models = new Set(metrics.groups.map((g) => g.coords.model).filter(Boolean));
      assert.deepEqual([...models], ['alpha'], 'the completed model is scored, the failed one is absent');
      assert.ok(metrics.groups.some((g) => g.coords.embedder === 'hashed'), 'the similarity groups are scored too');
      assert.deepEqual(metrics.missingInputs.map((m) => [m.task, m.status, m.items, m.errors]), failed.map((id) => [id, 'failed', 63, 63]));
      assert.ok(metrics.missingInputs.every((m) => /error rate 100\.0%/.test(m.reason)));
      const report = readFileSync(path.join(runDir, 'report.html'), 'utf8');
      for (const id of failed) assert.ok(report.includes(`${id} failed: error rate 100.0%`), `the report names ${id} and its cause`);

      for (const id of failed) assert.match(result.stdout, new RegExp(`failed ${id.replace(/[[\]]/g, '\\$&')}: error rate 100\\.0%.*\\(63 items, 63 errors\\)`));
      assert.match(result.stdout, /partial scores: ran on the inputs that completed, without classify\[model=beta,variant=numeric\], classify\[model=beta,variant=lexical\]/);
    });
  } finally {
    await server.close();
  }
});
