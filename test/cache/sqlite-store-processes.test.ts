import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import Database from 'better-sqlite3';
import { SqliteCacheStore } from '../../src/cache/sqlite-store.js';
import { moduleUrl, spawnScript } from './fixtures/spawn-store-child.js';
import { withTempDir } from '../helpers/temp-dir.js';

// Processes sharing one cache file, and processes that die: the cases the resume contract depends on.

const storeUrl = moduleUrl('src/cache/sqlite-store');

const WRITER = `
import { SqliteCacheStore } from ${JSON.stringify(storeUrl)};
const [file, name, countText] = process.argv.slice(2);
const count = Number(countText);
const store = new SqliteCacheStore({ file, maxPendingEntries: 300 });
process.stdout.write('ready\\n');
await new Promise((resolve) => process.stdin.once('data', resolve));
for (let i = 0; i < count; i++) {
  store.put('shared-' + i, { i, kind: 'shared' }, { namespace: 'item', origin: name });
  store.put(name + '-' + i, { i, by: name }, { namespace: 'item', origin: name });
  if (i % 2 === 0) store.putBytes(name + '-bytes-' + i, new Uint8Array(new Float32Array([i, -i]).buffer), { namespace: 'embedding' });
  // Yield now and then so timer flushes run while the other process writes.
  if (i % 40 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
}
const own = [];
for (let i = 0; i < count; i++) own.push(name + '-' + i, 'shared-' + i);
const found = store.getMany(own).size;
store.close();
if (found !== own.length) { process.stderr.write('own keys found: ' + found + ' of ' + own.length + '\\n'); process.exit(1); }
process.stdout.write('done\\n');
`;

test('two processes writing overlapping and distinct keys at once both finish, and every key is there', async () => {
  await withTempDir('cache-proc', async (dir) => {
    const file = path.join(dir, 'cache.db');
    const count = 4000;
    const children = await Promise.all(
      ['alpha', 'beta'].map((name) => spawnScript({ dir, name, script: WRITER, args: [file, name, String(count)] })),
    );
    // Both open the file first, then start together, so their writes overlap in time.
    await Promise.all(children.map((child) => child.waitForLine('ready')));
    for (const child of children) child.process.stdin.end('go\n');
    const results = await Promise.all(children.map((child) => child.exited));
    for (const result of results) assert.equal(result.code, 0, result.stderr);

    const store = new SqliteCacheStore({ file });
    try {
      const keys: string[] = [];
      for (let i = 0; i < count; i++) keys.push(`shared-${i}`, `alpha-${i}`, `beta-${i}`);
      const found = store.getMany(keys);
      assert.equal(found.size, keys.length);
      for (let i = 0; i < count; i++) {
        assert.deepEqual(found.get(`shared-${i}`), { i, kind: 'shared' });
        assert.deepEqual(found.get(`alpha-${i}`), { i, by: 'alpha' });
        assert.deepEqual(found.get(`beta-${i}`), { i, by: 'beta' });
      }
      for (const name of ['alpha', 'beta']) {
        const bytes = store.getBytes(`${name}-bytes-${count - 2}`);
        assert.ok(bytes);
        assert.deepEqual([...new Float32Array(bytes.buffer)], [count - 2, -(count - 2)]);
      }
      assert.equal(store.stats().byNamespace.embedding?.entries, count);
    } finally {
      store.close();
    }
  });
});

const KILLED_WRITER = `
import { SqliteCacheStore } from ${JSON.stringify(storeUrl)};
const [file] = process.argv.slice(2);
const store = new SqliteCacheStore({ file });
for (let i = 0; i < 2000; i++) store.put('flushed-' + i, { i }, { namespace: 'item' });
store.flush();
process.stdout.write('flushed\\n');
const pad = 'x'.repeat(300);
for (let i = 0; ; ) {
  for (let j = 0; j < 500; j++, i++) store.put('late-' + i, { i, pad }, { namespace: 'item' });
  if (i % 1000 === 0) store.flush();
  if (i === 5000) process.stdout.write('writing\\n');
  await new Promise((resolve) => setImmediate(resolve));
}
`;

test('a process killed with SIGKILL while writing leaves a readable cache holding everything it flushed', async () => {
  await withTempDir('cache-proc', async (dir) => {
    const file = path.join(dir, 'cache.db');
    const child = await spawnScript({ dir, name: 'killed', script: KILLED_WRITER, args: [file] });
    await child.waitForLine('writing');
    child.process.kill('SIGKILL');
    const result = await child.exited;
    assert.equal(result.signal, 'SIGKILL', result.stderr);

    const raw = new Database(file);
    try {
      assert.equal(raw.pragma('integrity_check', { simple: true }), 'ok');
    } finally {
      raw.close();
    }
    const store = new SqliteCacheStore({ file });
    try {
      const flushed = store.getMany(Array.from({ length: 2000 }, (_, i) => `flushed-${i}`));
      assert.equal(flushed.size, 2000);
      for (const [key, value] of flushed) assert.deepEqual(value, { i: Number(key.slice('flushed-'.length)) });
      // late-0 … late-4999 were flushed before "writing"; whatever came after must be whole or absent.
      const lateKeys = Array.from({ length: 200_000 }, (_, i) => `late-${i}`);
      const late = store.getMany(lateKeys);
      assert.ok(late.size >= 5000, `only ${late.size} late entries survived`);
      for (let i = 0; i < 5000; i++) assert.ok(late.has(`late-${i}`), `late-${i} flushed before the kill is missing`);
      for (const [key, value] of late) assert.deepEqual(value, { i: Number(key.slice('late-'.length)), pad: 'x'.repeat(300) });
      // Committed in whole transactions: the surviving late keys are one unbroken prefix.
      assert.ok(late.has(`late-${late.size - 1}`));
    } finally {
      store.close();
    }
  });
});

const EXITING_WRITER = `
import { SqliteCacheStore } from ${JSON.stringify(storeUrl)};
const [file, mode] = process.argv.slice(2);
const store = new SqliteCacheStore({ file, flushDelayMs: 60_000 });
for (let i = 0; i < 100; i++) store.put('k-' + i, { i }, { namespace: 'item' });
if (mode === 'exit') process.exit(0);
// otherwise: fall off the end; the unref'd flush timer must not keep the process alive
`;

for (const mode of ['exit', 'natural']) {
  test(`entries buffered when the process ends (${mode}) are saved by the exit hook`, async () => {
    await withTempDir('cache-proc', async (dir) => {
      const file = path.join(dir, 'cache.db');
      const child = await spawnScript({ dir, name: `exiting-${mode}`, script: EXITING_WRITER, args: [file, mode] });
      const result = await child.exited;
      assert.equal(result.code, 0, result.stderr);
      const store = new SqliteCacheStore({ file });
      try {
        assert.equal(store.getMany(Array.from({ length: 100 }, (_, i) => `k-${i}`)).size, 100);
      } finally {
        store.close();
      }
    });
  });
}
