import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, existsSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { packageRoot } from '../../src/util/paths.js';
import { loadPipeline } from '../../src/spec/index.js';
import { SpecError } from '../../src/errors.js';
import { runCli } from '../helpers/cli.js';
import { shareVectorCache } from '../helpers/vector-cache.js';
import { listRunIds } from '../../src/artifacts/run-folder.js';
import { manifestOf } from '../helpers/run-manifest.js';

const PIPELINES = path.join(packageRoot, 'pipelines');

/** Files the study's pipelines expect the user to bring (faces, weights, model folders); nothing else may be wrong. */
const USER_SUPPLIED = /^(nodes\.faces\.with\.(labels|model|images)|embedders\.(word2vec|bert|minilm)\.path): (file|folder) not found: \.\.\/(data\/(faces|emotic)(\/labels\.csv)? |models\/)/;

for (const file of readdirSync(PIPELINES).filter((f) => f.endsWith('.yaml'))) {
  test(`pipelines/${file} validates (only user-supplied files may be missing)`, async () => {
    try {
      await loadPipeline(path.join(PIPELINES, file));
    } catch (error) {
      assert.ok(error instanceof SpecError, String(error));
      for (const issue of error.issues) assert.match(`${issue.path}: ${issue.message}`, USER_SUPPLIED, `${file}:${issue.line}:${issue.col}`);
    }
  });
}

interface Metrics {
  groups: { kind: string; label: string; coords: Record<string, string>; headline: Record<string, { value: number | null }> }[];
}

test('the quickstart runs end to end offline; its second run is served entirely from the cache', { timeout: 600_000 }, async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vaflow-quickstart-'));
  try {
    const cacheDir = path.join(dir, 'cache');
    // The bundled GloVe conversion, prepared once for the suite (the engine only reads it).
    shareVectorCache(cacheDir);
    const args = ['run', path.join(PIPELINES, 'quickstart.yaml'), '--runs-dir', path.join(dir, 'runs'), '--cache-dir', cacheDir];
    const env = { OPENAI_API_KEY: '', VAFLOW_OPENAI_BASE_URL: '' };
    const first = await runCli(args, { cwd: dir, env });
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /report: .*report\.html/);
    assert.match(first.stdout, /classification \(metrics\.json\):/);
    const runs = listRunIds(path.join(dir, 'runs'));
    const runDir = path.join(dir, 'runs', runs[0]);
    for (const f of ['metrics.json', 'metrics.csv', 'report.html', 'manifest.json', 'plan.json', 'events.jsonl']) assert.ok(existsSync(path.join(runDir, f)), f);
    const metrics = JSON.parse(readFileSync(path.join(runDir, 'metrics.json'), 'utf8')) as Metrics;
    const baseline = metrics.groups.filter((g) => g.kind === 'classification' && g.coords.model === 'circumplex');
    assert.equal(baseline.length, 3, 'one group per prompt variant');
    for (const g of baseline) assert.ok((g.headline.accuracy.value ?? 0) > 1 / 7, `${g.label}: accuracy ${g.headline.accuracy.value} is above chance (1/7)`);
    assert.ok(metrics.groups.some((g) => g.kind === 'similarity' && g.coords.embedder === 'glove'));
    assert.ok(metrics.groups.some((g) => g.kind === 'similarity' && g.coords.embedder === 'use'));

    const second = await runCli(args, { cwd: dir, env });
    assert.equal(second.code, 0, second.stderr);
    const runs2 = listRunIds(path.join(dir, 'runs'));
    const manifest = manifestOf(path.join(dir, 'runs', runs2[1]));
    assert.equal(manifest.status, 'completed');
    const cachedTasks = Object.entries(manifest.tasks).filter(([id]) => id.startsWith('classify[') || id.startsWith('describe['));
    assert.equal(cachedTasks.length, 4);
    for (const [id, s] of cachedTasks) {
      assert.equal(s.cacheMisses, 0, `${id} computed nothing`);
      assert.equal(s.cacheHits, s.records, `${id} served every item from the cache`);
    }
    const events = readFileSync(path.join(dir, 'runs', runs2[1], 'events.jsonl'), 'utf8');
    const embedded = [...events.matchAll(/embed-score: (\d+) texts embedded/g)].map((m) => Number(m[1]));
    assert.equal(embedded.length, 2);
    assert.deepEqual(embedded, [0, 0], 'no text was embedded again');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
