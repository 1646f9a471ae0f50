/**
 * The quickstart as a new user runs it against a local OpenAI-compatible server: only
 * VAFLOW_OPENAI_BASE_URL set (no OPENAI_API_KEY), and a server that accepts response_format but
 * answers in plain words, as llama.cpp or LM Studio do. gpt-4o-mini joins the matrix, every item is
 * one request with no key sent, nothing fails, and the report includes the model. `validate` with the
 * same environment expands the same tasks. Needs dist/ (npm test builds it first).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { packageRoot } from '../../src/util/paths.js';
import { getLabelSet } from '../../src/labels/label-sets.js';
import { manifestOf } from '../helpers/run-manifest.js';
import { promptHash, startOpenAIServer } from '../helpers/openai-server.js';
import { styledResponder } from '../helpers/answer-styles.js';
import { runCli } from '../helpers/cli.js';
import { withTempDir } from '../helpers/temp-dir.js';
import { shareVectorCache } from '../helpers/vector-cache.js';
import { listRunIds } from '../../src/artifacts/run-folder.js';

const QUICKSTART = path.join(packageRoot, 'pipelines', 'quickstart.yaml');
const MODEL = 'gpt4o-mini';

interface Metrics {
  groups: { kind: string; coords: Record<string, string>; headline: Record<string, { value: number | null }> }[];
}

test('the quickstart with only VAFLOW_OPENAI_BASE_URL, against a plain-text server: exit 0, no key sent, no item error, a report with the model', { timeout: 600_000 }, async () => {
  const words = styledResponder({ points: getLabelSet('basic7')!.points, styleOf: () => 'word-period' });
  const server = await startOpenAIServer({
    responder: (request) => (request.messages.some((m) => /Describe the facial expression/.test(m.content))
      ? 'The person looks calm and content, with a soft smile.'
      : words(request)),
  });
  try {
    await withTempDir('quickstart-local', async (dir) => {
      const cacheDir = path.join(dir, 'cache');
      shareVectorCache(cacheDir);
      const env = { OPENAI_API_KEY: '', VAFLOW_OPENAI_BASE_URL: server.url };

      const validated = await runCli(['validate', QUICKSTART], { cwd: dir, env });
      assert.equal(validated.code, 0, validated.stderr);
      const validatedTasks = Number(/(\d+) tasks\)/.exec(validated.stdout)?.[1]);

      const result = await runCli(['run', QUICKSTART, '--runs-dir', path.join(dir, 'runs'), '--cache-dir', cacheDir], { cwd: dir, env });
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /report: .*report\.html/);
      const runs = listRunIds(path.join(dir, 'runs'));
      const runDir = path.join(dir, 'runs', runs[0]!);

      const plan = JSON.parse(await readFile(path.join(runDir, 'plan.json'), 'utf8')) as { order: string[] };
      assert.equal(plan.order.length, validatedTasks, 'validate and run expand the same tasks from the same environment');
      assert.ok(plan.order.some((t) => t.startsWith(`classify[model=${MODEL}`)), 'gpt4o-mini joined the matrix');

      const manifest = manifestOf(runDir);
      assert.equal(manifest.status, 'completed');
      assert.deepEqual([manifest.totals.errors, manifest.totals.retries], [0, 0]);
      const modelTasks = Object.entries(manifest.tasks).filter(([id]) => /^(classify|describe)\[/.test(id) && id.includes(`model=${MODEL}`));
      assert.equal(modelTasks.length, 4, 'three classify variants and one describe');
      const modelItems = modelTasks.reduce((n, [, s]) => n + s.records, 0);
      assert.equal(modelItems, 3 * 63 + 133);
      // Items whose prompts are identical (terms in one lexical bin, equal VA values) share one call.
      const distinctPrompts = new Set(server.requests.bodies.map((b) => promptHash(b.messages))).size;
      assert.equal(server.requests.chat, distinctPrompts, 'one request per distinct prompt: no retries, no repeats');
      assert.ok(distinctPrompts > modelItems / 2 && distinctPrompts <= modelItems, `${distinctPrompts} distinct prompts for ${modelItems} items`);
      assert.ok(server.requests.authorizations.every((a) => a === 'Bearer not-needed'), 'no key was sent');
      assert.equal(result.stderr.match(/OPENAI_API_KEY is not set; calling .* without an API key/g)?.length, 1, `said once:\n${result.stderr}`);

      const metrics = JSON.parse(await readFile(path.join(runDir, 'metrics.json'), 'utf8')) as Metrics;
      const classify = metrics.groups.filter((g) => g.kind === 'classification' && g.coords.model === MODEL);
      assert.equal(classify.length, 3);
      for (const g of classify) assert.equal(g.headline.invalid_rate?.value, 0, `${g.coords.variant}: plain words are read, none invalid`);
      assert.ok(metrics.groups.some((g) => g.kind === 'similarity' && g.coords.model === MODEL), 'its descriptions were scored');
      const report = await readFile(path.join(runDir, 'report.html'), 'utf8');
      assert.ok(report.includes(`model=${MODEL}`), 'the report includes the model');
    });
  } finally {
    await server.close();
  }
});
