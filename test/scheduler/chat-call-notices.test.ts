/**
 * A provider's notice (said once per run, e.g. "no API key, calling the local server without one")
 * travels with the answer of the call that learnt it. Identical requests share one call and the
 * cache serves repeats, so the notice must not travel with the shared or stored answer: the run
 * says it once, however many items read that answer.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { runPipeline } from '../../src/run/run-pipeline.js';
import type { RunLifeCycle } from '../../src/types/run-events.js';
import { fixedResponder, startOpenAIServer } from '../helpers/openai-server.js';
import { withTempDir } from '../helpers/temp-dir.js';

const ITEMS = 12;

test('a provider notice is said once although identical requests share its answer and the cache serves it again', async () => {
  const server = await startOpenAIServer({ responder: fixedResponder('happiness') });
  try {
    await withTempDir('notices', async (dir) => {
      // Every row has the same valence and arousal: one prompt, asked by every item.
      writeFileSync(path.join(dir, 't.csv'), ['id,valence,arousal,label', ...Array.from({ length: ITEMS }, (_, i) => `t${i},0.5,0.5,happiness`)].join('\n') + '\n');
      const file = path.join(dir, 'p.yaml');
      writeFileSync(file, `version: 1
name: notices
models:
  local: { provider: openai, model: m, baseURL: "${server.url}", apiKeyEnv: VAFLOW_TEST_UNSET_KEY, structuredOutput: false }
defaults: { concurrency: 4 }
nodes:
  terms: { kind: extract, with: { table: t.csv } }
  prompts: { kind: prompt-variant, needs: [terms], with: { labels: basic7, variants: { a: { format: numeric }, b: { format: numeric } } } }
  classify: { kind: classify, needs: [prompts], with: { models: [local] } }
`);
      const said: string[] = [];
      const listener: RunLifeCycle = {
        log: (event) => {
          if (/without an API key/.test(event.message)) said.push(event.message);
        },
      };
      const run = () => runPipeline({ file, runsDir: path.join(dir, 'runs'), cacheDir: path.join(dir, 'cache'), env: {}, lifeCycles: [listener] });
      const first = await run();
      assert.equal(first.status, 'completed');
      assert.equal(server.requests.chat, 1, 'one call for the one prompt of both variants');
      assert.equal(said.length, 1, `said once, not once per item that read the answer:\n${said.join('\n')}`);
      said.length = 0;
      await run();
      assert.equal(server.requests.chat, 1, 'the rerun is served from the cache');
      assert.deepEqual(said, [], 'a cached answer carries no notice');
    });
  } finally {
    await server.close();
  }
});
