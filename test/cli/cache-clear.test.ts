import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import { SqliteCacheStore } from '../../src/cache/sqlite-store.js';
import { MemoryCacheStore } from '../../src/cache/memory-store.js';
import type { CacheEntryMeta, CacheStore } from '../../src/cache/store.js';
import type { EntryFilter } from '../../src/cache/entry-filter.js';
import { getLabelSet } from '../../src/labels/label-sets.js';
import { withTempDir } from '../helpers/temp-dir.js';
import { VAFLOW_BIN, runCli } from '../helpers/cli.js';
import { nearestLabelResponder, startOpenAIServer } from '../helpers/openai-server.js';

const DAY = 86_400_000;

function vaflow(args: readonly string[], cwd: string): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [VAFLOW_BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, VAFLOW_CACHE_DIR: '' } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

interface Seed {
  readonly key: string;
  readonly meta: CacheEntryMeta;
  /** Days before now it was written (and last used). */
  readonly age: number;
}

/**
 * Entries as runs write them: chat answers and item results of two models (one written before the
 * model was recorded: only its task's coordinate says which), embeddings (shared across nodes),
 * source work, at two ages.
 */
const SEEDS: readonly Seed[] = [
  { key: 'chat-gpt', meta: { namespace: 'chat', origin: 'classify[model=gpt,variant=numeric]', model: 'gpt' }, age: 0 },
  { key: 'item-gpt', meta: { namespace: 'item', origin: 'classify[model=gpt,variant=numeric]', model: 'gpt' }, age: 0 },
  { key: 'item-gpt-describe-old', meta: { namespace: 'item', origin: 'describe[model=gpt,variant=numeric]' }, age: 60 },
  { key: 'chat-llama-old', meta: { namespace: 'chat', origin: 'classify[model=llama,variant=numeric]' }, age: 60 },
  { key: 'item-llama', meta: { namespace: 'item', origin: 'classify[model=llama,variant=numeric]', model: 'llama' }, age: 0 },
  { key: 'item-sim-gpt', meta: { namespace: 'item', origin: 'similarity[embedder=glove,model=gpt,variant=numeric]', model: 'gpt' }, age: 0 },
  { key: 'emb-glove', meta: { namespace: 'embedding', origin: 'embedder:glove' }, age: 60 },
  { key: 'source-faces', meta: { namespace: 'source', origin: 'faces' }, age: 60 },
  { key: 'item-classify2', meta: { namespace: 'item', origin: 'classify2[model=gpt]', model: 'gpt' }, age: 0 },
];

function fill(store: CacheStore, clock: { now: number }, now: number): void {
  for (const seed of SEEDS) {
    clock.now = now - seed.age * DAY;
    store.put(seed.key, { seed: seed.key }, seed.meta);
    store.flush();
  }
  clock.now = now;
}

function sqliteIn(dir: string, clock: { now: number }): SqliteCacheStore {
  return new SqliteCacheStore({ file: path.join(dir, 'cache.db'), now: () => clock.now });
}

/** A cache file in `dir` holding SEEDS, written at their ages. */
function seedCache(dir: string): void {
  const clock = { now: 0 };
  const store = sqliteIn(dir, clock);
  fill(store, clock, Date.now());
  store.close();
}

function keysLeft(dir: string): string[] {
  const db = new Database(path.join(dir, 'cache.db'), { readonly: true });
  try {
    return db.prepare<[], { key: string }>('SELECT key FROM entries ORDER BY key').all().map((r) => r.key);
  } finally {
    db.close();
  }
}

const ALL = SEEDS.map((s) => s.key).sort();
const without = (...removed: string[]) => ALL.filter((k) => !removed.includes(k));

/** Each filter and the entries it selects. */
const SELECTIONS: readonly { readonly args: readonly string[]; readonly filter: EntryFilter; readonly removed: readonly string[] }[] = [
  { args: ['--model', 'gpt'], filter: { models: ['gpt'] }, removed: ['chat-gpt', 'item-gpt', 'item-gpt-describe-old', 'item-sim-gpt', 'item-classify2'] },
  { args: ['--model', 'llama'], filter: { models: ['llama'] }, removed: ['chat-llama-old', 'item-llama'] },
  { args: ['--node', 'classify'], filter: { nodes: ['classify'] }, removed: ['chat-gpt', 'item-gpt', 'chat-llama-old', 'item-llama'] },
  { args: ['--node', 'faces', '--node', 'similarity'], filter: { nodes: ['faces', 'similarity'] }, removed: ['source-faces', 'item-sim-gpt'] },
  { args: ['--namespace', 'embedding'], filter: { namespaces: ['embedding'] }, removed: ['emb-glove'] },
  { args: ['--older-than', '30d'], filter: { lastUsedBefore: -30 * DAY }, removed: ['item-gpt-describe-old', 'chat-llama-old', 'emb-glove', 'source-faces'] },
  { args: ['--newer-than', '1d'], filter: { createdAfter: -1 * DAY }, removed: ['chat-gpt', 'item-gpt', 'item-llama', 'item-sim-gpt', 'item-classify2'] },
  { args: ['--model', 'gpt', '--node', 'classify', '--namespace', 'item'], filter: { models: ['gpt'], nodes: ['classify'], namespaces: ['item'] }, removed: ['item-gpt'] },
  { args: ['--model', 'llama', '--older-than', '30d'], filter: { models: ['llama'], lastUsedBefore: -30 * DAY }, removed: ['chat-llama-old'] },
];

for (const { args, removed } of SELECTIONS) {
  test(`cache clear ${args.join(' ')}: --dry-run lists the selection, --yes removes exactly it`, () =>
    withTempDir('cache-clear', async (dir) => {
      seedCache(dir);
      const dry = vaflow(['cache', 'clear', ...args, '--dry-run', '--cache-dir', dir], dir);
      assert.equal(dry.code, 0, dry.stderr);
      assert.match(dry.stdout, new RegExp(`^would remove ${removed.length} entr(y|ies) \\(.*\\) matching ${args.join(' ')} from `));
      assert.deepEqual(keysLeft(dir), ALL, 'a dry run removes nothing');
      const done = vaflow(['cache', 'clear', ...args, '--yes', '--cache-dir', dir], dir);
      assert.equal(done.code, 0, done.stderr);
      assert.match(done.stdout, new RegExp(`^removed ${removed.length} entr(y|ies) matching ${args.join(' ')} from `));
      assert.deepEqual(keysLeft(dir), without(...removed));
    }));
}

test('the in-memory store selects what the SQLite store selects, for every filter', () =>
  withTempDir('cache-clear', async (dir) => {
    const now = Date.now();
    for (const { filter, removed } of SELECTIONS) {
      const absolute: EntryFilter = {
        ...filter,
        ...(filter.lastUsedBefore !== undefined ? { lastUsedBefore: now + filter.lastUsedBefore } : {}),
        ...(filter.createdAfter !== undefined ? { createdAfter: now + filter.createdAfter } : {}),
      };
      const clock = { now };
      const memory = new MemoryCacheStore({ now: () => clock.now });
      fill(memory, clock, now);
      assert.equal(memory.stats(absolute).entries, removed.length, JSON.stringify(filter));
      assert.equal(memory.clear(absolute), removed.length);
      assert.equal(memory.stats().entries, ALL.length - removed.length);
      const sqlite = sqliteIn(path.join(dir), clock);
      sqlite.clear();
      fill(sqlite, clock, now);
      assert.equal(sqlite.stats(absolute).entries, removed.length, JSON.stringify(filter));
      assert.equal(sqlite.clear(absolute), removed.length);
      sqlite.close();
    }
  }));

test('without a terminal, cache clear refuses to delete without --yes (exit 2) and says how many entries it would remove', () =>
  withTempDir('cache-clear', async (dir) => {
    seedCache(dir);
    const refused = vaflow(['cache', 'clear', '--model', 'gpt', '--cache-dir', dir], dir);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /^cache clear: 5 entries \(chat 1, item 4\) matching --model gpt would be removed from .*cache\.db; add --yes to remove them \(or --dry-run to only list them\): not asking without a terminal\n$/);
    assert.deepEqual(keysLeft(dir), ALL);
    const bad = vaflow(['cache', 'clear', '--namespace', 'items', '--yes', '--cache-dir', dir], dir);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--namespace: expected one of item, chat, source, embedding, got "items"/);
    const none = vaflow(['cache', 'clear', '--model', 'nobody', '--cache-dir', dir], dir);
    assert.equal(none.code, 0, 'nothing to ask about');
    assert.match(none.stdout, /^no entries matching --model nobody in .*; nothing to clear\n$/);
  }));

/** `vaflow cache clear …` on a pseudo-terminal (util-linux `script`), typing `answer` at the prompt. */
function onTerminal(args: readonly string[], answer: string, cwd: string): { code: number | null; output: string } {
  const command = [process.execPath, VAFLOW_BIN, ...args].map((a) => `'${a}'`).join(' ');
  const result = spawnSync('script', ['-qec', command, '/dev/null'], { cwd, encoding: 'utf8', input: answer, env: { ...process.env, VAFLOW_CACHE_DIR: '' } });
  assert.equal(result.error, undefined, 'util-linux `script` runs the CLI on a pseudo-terminal');
  return { code: result.status, output: result.stdout };
}

test('on a terminal, cache clear asks first: "n" keeps everything, "y" removes the selection', () =>
  withTempDir('cache-clear', async (dir) => {
    seedCache(dir);
    const declined = onTerminal(['cache', 'clear', '--node', 'faces', '--cache-dir', dir], 'n\n', dir);
    assert.equal(declined.code, 0, declined.output);
    assert.match(declined.output, /remove 1 entry \(source 1\) matching --node faces from .*cache\.db\? \[y\/N\] /);
    assert.match(declined.output, /nothing removed/);
    assert.deepEqual(keysLeft(dir), ALL);
    const accepted = onTerminal(['cache', 'clear', '--node', 'faces', '--cache-dir', dir], 'y\n', dir);
    assert.equal(accepted.code, 0, accepted.output);
    assert.match(accepted.output, /removed 1 entry matching --node faces from /);
    assert.deepEqual(keysLeft(dir), without('source-faces'));
  }));

test('a cache file from before models were recorded gains the column, keeps its entries, and old-style writes still work', () =>
  withTempDir('cache-clear', async (dir) => {
    const file = path.join(dir, 'cache.db');
    const old = new Database(file);
    old.exec(`CREATE TABLE entries (key TEXT PRIMARY KEY, namespace TEXT NOT NULL, origin TEXT, encoding TEXT NOT NULL CHECK (encoding IN ('json', 'bytes')),
      value BLOB NOT NULL, size INTEGER NOT NULL, created_at INTEGER NOT NULL, last_used INTEGER NOT NULL); PRAGMA user_version = 1;`);
    old.prepare('INSERT INTO entries (key, namespace, origin, encoding, value, size, created_at, last_used) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run('legacy', 'chat', 'classify[model=gpt]', 'json', '{"text":"joy"}', 14, 1, 1);
    old.close();
    const clock = { now: Date.now() };
    const store = sqliteIn(dir, clock);
    assert.deepEqual(store.get('legacy'), { text: 'joy' });
    store.put('recorded', { text: 'sad' }, { namespace: 'chat', origin: 'other[model=x]', model: 'gpt' });
    store.close();
    // What an older vaflow writes (its columns named, no model) still fits the file.
    const older = new Database(file);
    older.prepare('INSERT OR REPLACE INTO entries (key, namespace, origin, encoding, value, size, created_at, last_used) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run('written-by-older', 'item', 'classify[model=llama]', 'json', '{}', 2, 1, 1);
    assert.equal(older.pragma('user_version', { simple: true }), 1);
    older.close();
    const cleared = vaflow(['cache', 'clear', '--model', 'gpt', '--yes', '--cache-dir', dir], dir);
    assert.equal(cleared.code, 0, cleared.stderr);
    assert.match(cleared.stdout, /^removed 2 entries matching --model gpt/);
    assert.deepEqual(keysLeft(dir), ['written-by-older']);
  }));

test('after a real run, cache clear --model drops that model\'s answers only: the rerun asks the server for that model alone', async () => {
  const server = await startOpenAIServer({ responder: nearestLabelResponder(getLabelSet('basic7')!.points) });
  try {
    await withTempDir('cache-clear', async (dir) => {
      await writeFile(path.join(dir, 'faces.csv'), 'id,valence,arousal,label\nf1,0.87,0.26,happiness\nf2,-0.73,-0.38,sadness\nf3,-0.62,0.3,anger\n');
      await writeFile(path.join(dir, 'p.yaml'), `version: 1
name: clear-by-model
models:
  alpha: { provider: openai, model: alpha-model, baseURL: "${server.url}" }
  beta: { provider: openai, model: beta-model, baseURL: "${server.url}" }
nodes:
  faces: { kind: extract, with: { table: faces.csv } }
  prompts: { kind: prompt-variant, needs: [faces], with: { labels: basic7, variants: { numeric: { format: numeric } } } }
  classify: { kind: classify, needs: [prompts], with: { models: [alpha, beta], labels: basic7 } }
`);
      const run = () => runCli(['run', 'p.yaml', '--runs-dir', 'runs', '--cache-dir', 'cache'], { cwd: dir });
      const first = await run();
      assert.equal(first.code, 0, first.stderr);
      assert.equal(server.requests.chat, 6);
      // Each answer and result carries the model it belongs to (not only its task's coordinate).
      const db = new Database(path.join(dir, 'cache', 'cache.db'), { readonly: true });
      const recorded = db.prepare("SELECT namespace, model, COUNT(*) AS n FROM entries WHERE namespace IN ('chat', 'item') GROUP BY namespace, model ORDER BY namespace, model").all();
      db.close();
      assert.deepEqual(recorded, [
        { namespace: 'chat', model: 'alpha', n: 3 }, { namespace: 'chat', model: 'beta', n: 3 },
        { namespace: 'item', model: 'alpha', n: 3 }, { namespace: 'item', model: 'beta', n: 3 },
      ]);
      const cleared = vaflow(['cache', 'clear', '--model', 'beta', '--yes', '--cache-dir', 'cache'], dir);
      assert.equal(cleared.code, 0, cleared.stderr);
      assert.match(cleared.stdout, /^removed 6 entries matching --model beta/, 'three answers and three item results');
      const rerun = await run();
      assert.equal(rerun.code, 0, rerun.stderr);
      assert.equal(server.requests.chat, 9, 'only beta was asked again');
      const byModel: Record<string, number> = {};
      for (const body of server.requests.bodies) byModel[body.model] = (byModel[body.model] ?? 0) + 1;
      assert.deepEqual(byModel, { 'alpha-model': 3, 'beta-model': 6 });
    });
  } finally {
    await server.close();
  }
});
