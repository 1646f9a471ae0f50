import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { runPipeline } from '../../src/run/run-pipeline.js';
import { startOpenAIServer } from '../helpers/openai-server.js';
import { withTempDir } from '../helpers/temp-dir.js';
import { inFlightCounter, studyPipeline, studyResponder } from './fixtures/study-pipeline.js';

/**
 * `defaults.concurrency` caps calls in flight across the whole run (every task together), as the
 * pipeline reference says; a node's own `with.concurrency` caps that node's tasks together; the
 * `--concurrency` option overrides the pipeline's cap. Counted by the server.
 */
async function peakInFlight(options: { defaults?: string; concurrency?: number; classifyConcurrency?: number; classifyOnly?: boolean }): Promise<{ peak: number; manifestCap: number }> {
  // Classification requests ask for a JSON schema; descriptions do not.
  const counter = inFlightCounter(studyResponder, 25, (request) => !options.classifyOnly || request.response_format?.type === 'json_schema');
  const server = await startOpenAIServer({ responder: counter.responder });
  try {
    let peak = 0;
    let manifestCap = 0;
    await withTempDir('caps', async (dir) => {
      const file = path.join(dir, 'p.yaml');
      let yaml = studyPipeline({ url: server.url, models: ['alpha', 'beta', 'gamma'], defaults: options.defaults });
      if (options.classifyConcurrency) yaml = yaml.replace('labels: basic7 } }', `labels: basic7, concurrency: ${options.classifyConcurrency} } }`);
      writeFileSync(file, yaml);
      const result = await runPipeline({ file, runsDir: path.join(dir, 'runs'), cacheDir: path.join(dir, 'cache'), env: {}, concurrency: options.concurrency });
      assert.equal(result.status, 'completed');
      peak = counter.peak();
      manifestCap = (JSON.parse((await import('node:fs')).readFileSync(path.join(result.runDir, 'manifest.json'), 'utf8')) as { options: { concurrency: number } }).options.concurrency;
    });
    return { peak, manifestCap };
  } finally {
    await server.close();
  }
}

test('defaults.concurrency is a run-wide cap: six classify tasks and a describe task never have more than 4 calls in flight', async () => {
  const { peak, manifestCap } = await peakInFlight({ defaults: 'concurrency: 4' });
  assert.equal(peak, 4, 'the cap is reached and never exceeded');
  assert.equal(manifestCap, 4);
});

test('a node\'s own concurrency caps its tasks together, under the run\'s cap; --concurrency overrides defaults.concurrency', async () => {
  const capped = await peakInFlight({ defaults: 'concurrency: 16', classifyConcurrency: 2, classifyOnly: true });
  assert.equal(capped.peak, 2, 'six classify tasks share the node\'s two slots');
  const override = await peakInFlight({ defaults: 'concurrency: 16', concurrency: 3 });
  assert.equal(override.peak, 3);
  assert.equal(override.manifestCap, 3);
});
