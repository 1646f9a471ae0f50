import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import kind from '../../../nodes/aggregate/index.js';
import { codeDigest } from '../../../src/util/code-digest.js';
import type { AggregateParams } from '../../../nodes/aggregate/params.generated.js';
import type { CacheStore } from '../../../src/cache/store.js';
import { MemoryCacheStore } from '../../../src/cache/memory-store.js';
import type { FlowRecord } from '../../../src/types/records.js';
import { taskContext } from '../../helpers/kind-context.js';
import { withTempDir } from '../../helpers/temp-dir.js';
import { allRecords } from './fixtures.js';

/** The real aggregate kind over `records`, with the engine's cache in front of its statistics. */
async function aggregate(records: readonly FlowRecord[], options: { runDir: string; cache: CacheStore | null; params?: AggregateParams; seed?: number }) {
  const ctx = taskContext<AggregateParams>({ params: options.params ?? { humanRatingField: 'humanRating' }, runDir: options.runDir, seed: options.seed ?? 42, nodeId: 'scores', cache: options.cache, spec: { version: 1, name: 'test', nodes: { scores: { kind: 'aggregate' } } } });
  const out: FlowRecord[] = [];
  async function* stream() { yield* records; }
  for await (const r of kind.batch(stream, ctx)) out.push(r);
  const info = ctx.events.find((e) => e.level === 'info' && 'metricsCached' in e) as { metricsCached?: boolean } | undefined;
  const read = (name: string) => readFileSync(path.join(options.runDir, name), 'utf8');
  // createdAt is the time of the run (the one field of metrics.json that is not a function of the records).
  const json = read('metrics.json').replace(/"createdAt": "[^"]*"/, '"createdAt": "T"');
  const html = read('report.html').replace(/created \S+/, 'created T');
  return { out, cached: info?.metricsCached, json, csv: read('metrics.csv'), html };
}

test('a rerun on the same records reads its statistics from the cache and writes the same bytes as computing them', async () => {
  await withTempDir('agg-cache-', async (dir) => {
    const cache = new MemoryCacheStore();
    const uncached = await aggregate(allRecords(), { runDir: path.join(dir, 'a', 'run'), cache: null });
    const first = await aggregate(allRecords(), { runDir: path.join(dir, 'b', 'run'), cache });
    const rerun = await aggregate(allRecords(), { runDir: path.join(dir, 'c', 'run'), cache });
    assert.equal(uncached.cached, false);
    assert.equal(first.cached, false);
    assert.equal(rerun.cached, true);
    assert.equal(cache.stats().byNamespace['computed:metrics']?.entries, 1, 'one entry, in the namespace `vaflow cache stats` reports it under');
    for (const run of [first, rerun]) {
      assert.equal(run.json, uncached.json);
      assert.equal(run.csv, uncached.csv);
      assert.equal(run.html, uncached.html);
      assert.deepStrictEqual(run.out, uncached.out);
    }
    assert.match(rerun.json, /"items": \{/, 'the groups carry their items again');
  });
});

test('one changed record, another seed or other params: computed anew, not served from the cache', async () => {
  await withTempDir('agg-cache-', async (dir) => {
    const cache = new MemoryCacheStore();
    const base = await aggregate(allRecords(), { runDir: path.join(dir, 'a', 'run'), cache });
    const changed = allRecords();
    const flip = changed.findIndex((r) => r.node === 'classify' && r.valid === true && r.prediction === r.label);
    changed[flip] = { ...changed[flip]!, prediction: 'surprise', answer: 'surprise' };
    const edited = await aggregate(changed, { runDir: path.join(dir, 'b', 'run'), cache });
    assert.equal(edited.cached, false);
    assert.notEqual(edited.json, base.json);
    const fresh = await aggregate(changed, { runDir: path.join(dir, 'c', 'run'), cache: null });
    assert.equal(edited.json, fresh.json, 'the changed records get their own numbers');
    const seeded = await aggregate(allRecords(), { runDir: path.join(dir, 'd', 'run'), cache, seed: 43 });
    assert.equal(seeded.cached, false);
    const params = await aggregate(allRecords(), { runDir: path.join(dir, 'e', 'run'), cache, params: { humanRatingField: 'humanRating', bootstrap: { resamples: 200 } } });
    assert.equal(params.cached, false);
    assert.equal((await aggregate(allRecords(), { runDir: path.join(dir, 'f', 'run'), cache })).cached, true);
  });
});

test('the code digest follows relative imports, static and dynamic, and changes with any of their sources', async () => {
  await withTempDir('code-digest-', async (dir) => {
    const file = (name: string, text: string) => writeFileSync(path.join(dir, name), text);
    file('root.js', "import { b } from './b.js';\nexport const a = () => import('./c.js');\n");
    file('b.js', "export { d } from './sub/../d.js';\nexport const b = 1;\n");
    file('c.js', 'export const c = 1;\n');
    file('d.js', 'export const d = 1;\n');
    // The digest is remembered per module URL in a process: each check asks under a fresh fragment.
    let round = 0;
    const digest = () => codeDigest(`${pathToFileURL(path.join(dir, 'root.js')).href}#${round++}`);
    const before = digest();
    assert.equal(digest(), before, 'same sources, same digest');
    for (const name of ['b.js', 'c.js', 'd.js']) {
      const text = readFileSync(path.join(dir, name), 'utf8');
      file(name, text.replace('= 1', '= 2'));
      assert.notEqual(digest(), before, `${name} changed`);
      file(name, text);
      assert.equal(digest(), before);
    }
  });
});
