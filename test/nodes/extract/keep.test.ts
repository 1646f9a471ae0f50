import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import extract from '../../../nodes/extract/index.js';
import type { ExtractParams } from '../../../nodes/extract/params.generated.js';
import { loadPipeline } from '../../../src/spec/index.js';
import { SpecError } from '../../../src/errors.js';
import { startOpenAIServer } from '../../helpers/openai-server.js';
import { runCli } from '../../helpers/cli.js';
import { withTempDir } from '../../helpers/temp-dir.js';
import { collectSource, taskContext } from '../../helpers/kind-context.js';

const TERMS = [
  ['calm', '0.6', '-0.5', 'peaceful and quiet, free of agitation'],
  ['furious', '-0.7', '0.8', 'extremely angry, raging'],
  ['gloomy', '-0.6', '-0.4', 'dark, dismal and depressing'],
  ['elated', '0.8', '0.6', 'exultantly proud and joyful'],
  ['bored', '-0.3', '-0.7', 'tired of something dull'],
  ['afraid', '-0.7', '0.3', 'filled with fear or apprehension'],
  ['content', '0.7', '-0.2', 'satisfied with things as they are'],
  ['startled', '0.1', '0.7', 'suddenly surprised and alarmed'],
];
const RATINGS = [5, 2, 7, 1, 8, 3, 6, 4];

function ratingsTable(sign: 1 | -1): string {
  return ['id,valence,arousal,reference,rating', ...TERMS.map((t, i) => `${t[0]},${t[1]},${t[2]},"${t[3]}",${sign * RATINGS[i]!}`)].join('\n') + '\n';
}

test('keep carries named columns into the records: as read, or parsed as numbers with located errors', async () => {
  await withTempDir('keep', async (dir) => {
    writeFileSync(path.join(dir, 'k.csv'), 'id,valence,arousal,rating,notes\na,0.1,0.2,4.5,  first \nb,0.1,0.2,,\nc,0.1,0.2,high,x\n');
    const run = (params: ExtractParams) => collectSource(extract.source(taskContext({ params, specDir: dir })));
    const asRead = await run({ table: 'k.csv', keep: { human_rating: 'rating', note: { column: 'notes', type: 'string' } } });
    assert.deepEqual(asRead.map((item) => ('fields' in item ? item.fields : item.error.message)), [
      { human_rating: '4.5', note: 'first', valence: 0.1, arousal: 0.2, vaSource: 'table' },
      { valence: 0.1, arousal: 0.2, vaSource: 'table' },
      { human_rating: 'high', note: 'x', valence: 0.1, arousal: 0.2, vaSource: 'table' },
    ]);
    const typed = await run({ table: 'k.csv', keep: { human_rating: { column: 'rating', type: 'number' } } });
    assert.deepEqual(typed.map((item) => ('fields' in item ? item.fields.human_rating : item.error.message)), [
      4.5,
      undefined,
      'k.csv:4: row 3, column "rating": "high" is not a number (with.keep.human_rating wants a number)',
    ]);
    await assert.rejects(run({ table: 'k.csv', keep: { human_rating: 'score' } }), /k\.csv: no column "score" \(with\.keep\.human_rating\)/);
  });
});

test('keep: field names that extract or later kinds own are refused by the schema, and a missing column by validate', async () => {
  await withTempDir('keep', async (dir) => {
    writeFileSync(path.join(dir, 'k.csv'), 'id,valence,arousal,rating\na,0.1,0.2,4\n');
    const pipeline = (keep: string) => `version: 1\nname: k\nnodes:\n  t: { kind: extract, with: { table: k.csv, keep: ${keep} } }\n`;
    const issues = async (keep: string): Promise<string[]> => {
      writeFileSync(path.join(dir, 'p.yaml'), pipeline(keep));
      try {
        await loadPipeline(path.join(dir, 'p.yaml'));
        return [];
      } catch (error) {
        assert.ok(error instanceof SpecError);
        return error.issues.map((i) => `${i.line}:${i.col} ${i.path}: ${i.message}`);
      }
    };
    assert.deepEqual(await issues('{ human_rating: rating }'), []);
    const [reserved] = await issues('{ prediction: rating }');
    assert.match(reserved!, /^4:53 nodes\.t\.with\.keep\.prediction: invalid name "prediction": a record field name .* not id, node, coords/);
    assert.deepEqual(await issues('{ human_rating: score }'), ['4:67 nodes.t.with.keep.human_rating: k.csv has no column "score" (header: id, valence, arousal, rating)']);
  });
});

interface Metrics {
  groups: { kind: string; coords: Record<string, string>; headline: Record<string, { value: number | null; reason?: string }> }[];
}

test('vaflow run: a kept human rating reaches aggregate\'s spearman_human in metrics.json; reversed ratings flip its sign', { timeout: 120_000 }, async () => {
  const server = await startOpenAIServer();
  try {
    await withTempDir('keep-run', async (dir) => {
      const spearman = async (sign: 1 | -1, keep: string): Promise<number | null> => {
        writeFileSync(path.join(dir, 'terms.csv'), ratingsTable(sign));
        writeFileSync(path.join(dir, 'p.yaml'), `version: 1
name: human-ratings
models:
  base: { provider: circumplex }
embedders:
  hashed: { type: openai, model: test-embedding, baseURL: "${server.url}" }
nodes:
  terms: { kind: extract, with: { table: terms.csv, keep: ${keep} } }
  prompts: { kind: prompt-variant, needs: [terms], with: { task: describe, variants: { n: { format: numeric } } } }
  describe: { kind: describe, needs: [prompts], with: { models: [base] } }
  similarity: { kind: embed-score, needs: [describe], with: { embedders: [hashed] } }
  scores: { kind: aggregate, needs: [similarity], with: { metrics: [similarity, spearman_human], humanRatingField: human_rating } }
`);
        const result = await runCli(['run', 'p.yaml', '--runs-dir', 'runs', '--cache-dir', 'cache'], { cwd: dir });
        assert.equal(result.code, 0, result.stdout + result.stderr);
        const metrics = JSON.parse(readFileSync(path.join(dir, 'runs', 'latest', 'metrics.json'), 'utf8')) as Metrics;
        const similarity = metrics.groups.filter((g) => g.kind === 'similarity');
        assert.equal(similarity.length, 1);
        const value = similarity[0]!.headline.spearman_human;
        assert.ok(value, 'spearman_human is reported');
        return value.value;
      };
      const forward = await spearman(1, '{ human_rating: { column: rating, type: number } }');
      assert.equal(typeof forward, 'number');
      assert.ok(forward !== 0 && Math.abs(forward!) <= 1, `spearman_human ${forward}`);
      // Ranks of −rating are the reverse of those of rating: the coefficient changes sign exactly.
      assert.equal(await spearman(-1, '{ human_rating: { column: rating, type: number } }'), -forward!);
      // Kept as read (text), aggregate parses the numbers the same way.
      assert.equal(await spearman(1, '{ human_rating: rating }'), forward);
    });
  } finally {
    await server.close();
  }
});
