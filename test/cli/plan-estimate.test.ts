import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { getLabelSet } from '../../src/labels/label-sets.js';
import { withTempDir } from '../helpers/temp-dir.js';
import { runCli } from '../helpers/cli.js';
import { nearestLabelResponder, startOpenAIServer } from '../helpers/openai-server.js';

// `vaflow plan` against a loopback server it must never call: the models left out and why, the
// calls a run would make and their tokens and cost from the price table, and --refresh.

const TABLE = 'id,valence,arousal,label\nf1,0.87,0.26,happiness\nf2,-0.73,-0.38,sadness\nf3,-0.62,0.3,anger\nf4,0.13,-0.39,neutral\n';

function pipeline(url: string): string {
  // Prices chosen so the arithmetic is visible: 1 per input token for "dear", 1 per output token for "cheap".
  return `version: 1
name: estimate
models:
  cheap: { provider: openai, model: m-cheap, baseURL: "${url}", maxTokens: 10, price: { inputPerMTok: 0, outputPerMTok: 1000000 } }
  dear: { provider: openai, model: m-dear, baseURL: "${url}", price: { inputPerMTok: 1000000, outputPerMTok: 5 } }
  base: { provider: circumplex }
  gone: { provider: openai, model: m-gone, enabledByEnv: [VAFLOW_TEST_NEVER_SET, VAFLOW_TEST_NOR_THIS] }
nodes:
  faces: { kind: extract, with: { table: faces.csv } }
  prompts: { kind: prompt-variant, needs: [faces], with: { labels: basic7, variants: { n: { format: numeric } } } }
  classify: { kind: classify, needs: [prompts], with: { models: [cheap, dear, base, gone], labels: basic7, repeats: 2 } }
`;
}

interface PlanJson {
  readonly leftOut: { model: string; reason: string }[];
  readonly estimates: { model: string; calls: number; inputTokens?: number; maxOutputTokens?: number; cost?: number; costWithoutOutput?: boolean }[];
  readonly tasks: Record<string, { pending: number; cacheHits: number }>;
}

test('plan lists the models left out and why, and estimates calls, tokens and cost per model from the price table', async () => {
  const server = await startOpenAIServer({ responder: nearestLabelResponder(getLabelSet('basic7')!.points) });
  try {
    await withTempDir('plan-estimate', async (dir) => {
      await writeFile(path.join(dir, 'faces.csv'), TABLE);
      await writeFile(path.join(dir, 'p.yaml'), pipeline(server.url));
      const { VAFLOW_TEST_NEVER_SET: _a, VAFLOW_TEST_NOR_THIS: _b, ...env } = process.env;
      const cli = (...args: string[]) => runCli(args, { cwd: dir, env: env as Record<string, string> });

      const text = await cli('plan', 'p.yaml', '--cache-dir', 'cache');
      assert.equal(text.code, 0, text.stderr);
      assert.match(text.stdout, /^models left out:\n {2}gone {2}set VAFLOW_TEST_NEVER_SET or VAFLOW_TEST_NOR_THIS to include it$/m);
      assert.match(text.stdout, /^ {2}cheap +8 +≈\d[\d,]* +≤80 +≈80\.00$/m);
      assert.match(text.stdout, /^ {2}dear +8 +≈\d[\d,]* +\? \(no maxTokens\) +≈\d[\d,.]* \+ output$/m);
      assert.doesNotMatch(text.stdout, /^ {2}base /m, 'the circumplex baseline makes no call');

      const json = JSON.parse((await cli('plan', 'p.yaml', '--cache-dir', 'cache', '--json')).stdout) as PlanJson;
      assert.deepEqual(json.leftOut, [{ model: 'gone', reason: 'set VAFLOW_TEST_NEVER_SET or VAFLOW_TEST_NOR_THIS to include it' }]);
      const cheap = json.estimates.find((e) => e.model === 'cheap')!;
      const dear = json.estimates.find((e) => e.model === 'dear')!;
      assert.deepEqual({ calls: cheap.calls, maxOutputTokens: cheap.maxOutputTokens, cost: cheap.cost }, { calls: 8, maxOutputTokens: 80, cost: 80 });
      assert.equal(dear.calls, 8);
      assert.equal(dear.maxOutputTokens, undefined);
      assert.equal(dear.cost, dear.inputTokens, 'one unit per input token');
      assert.equal(dear.costWithoutOutput, true);
      assert.equal(server.requests.total, 0, 'a plan calls no model');

      // The run then makes exactly those calls, and sends about 4 characters per estimated input token.
      const ran = await cli('run', 'p.yaml', '--runs-dir', 'runs', '--cache-dir', 'cache');
      assert.equal(ran.code, 0, ran.stderr);
      const sent = server.requests.bodies.filter((b) => b.model === 'm-dear');
      assert.equal(sent.length, dear.calls);
      assert.equal(server.requests.bodies.filter((b) => b.model === 'm-cheap').length, cheap.calls);
      const characters = sent.reduce((sum, body) => sum + body.messages.reduce((n, m) => n + m.content.length, 0), 0);
      assert.ok(Math.abs(dear.inputTokens! - characters / 4) <= dear.calls, `estimate ${dear.inputTokens} vs ${characters} characters sent`);

      // Everything is cached now: nothing to call, nothing to estimate; --refresh and --no-cache plan every call again.
      const cached = await cli('plan', 'p.yaml', '--cache-dir', 'cache');
      assert.match(cached.stdout, /^model calls needed \(at least\): 0$/m);
      assert.doesNotMatch(cached.stdout, /calls to make/);
      for (const flag of ['--refresh', '--no-cache']) {
        const again = JSON.parse((await cli('plan', 'p.yaml', '--cache-dir', 'cache', '--json', flag)).stdout) as PlanJson;
        assert.equal(again.tasks['classify[model=dear,variant=n]'].pending, 4, flag);
        assert.equal(again.tasks['classify[model=dear,variant=n]'].cacheHits, 0, flag);
        assert.equal(again.estimates.find((e) => e.model === 'dear')?.calls, 8, flag);
      }
      assert.equal(server.requests.total, 16, 'the plans called nothing');
    });
  } finally {
    await server.close();
  }
});
