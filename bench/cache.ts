// Cache store throughput. Run: npx tsx bench/cache.ts
// Figures are ratios against baselines measured in the same run on the same file system:
//   writes  — SqliteCacheStore.put (buffered, one transaction per flush) vs one autocommit INSERT per entry
//   reads   — getMany(10k) vs 10k single get() calls
//   process — a whole `node` process that opens the cache and reads 10k keys vs an empty `node` process
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { SqliteCacheStore } from '../src/cache/sqlite-store.js';
import { itemCacheKey } from '../src/cache/key.js';
import { packageRoot } from '../src/util/paths.js';

const N = 10_000;
const meta = { namespace: 'item', origin: 'classify[model=gpt4o-mini,variant=numeric]' };

function record(i: number): Record<string, unknown> {
  return {
    id: `face-${i}`, coords: { model: 'gpt4o-mini', variant: 'numeric' }, valence: 0.12, arousal: -0.4,
    label: 'sadness', raw: 'The face most likely shows sadness: low valence and low arousal.', usage: { input: 182, output: 14 },
  };
}

function keys(): string[] {
  return Array.from({ length: N }, (_, i) => itemCacheKey({ kind: 'classify', kindVersion: '1', params: { labels: 'basic7' }, identity: { provider: 'openai' }, inputHash: String(i), repeat: 0 }));
}

function time(run: () => void): number {
  const start = process.hrtime.bigint();
  run();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const dir = await mkdtemp(path.join(os.tmpdir(), 'vaflow-bench-cache-'));
try {
  const all = keys();

  // Baseline write: one autocommit INSERT per entry, same pragmas as the store.
  const naiveFile = path.join(dir, 'naive.db');
  new SqliteCacheStore({ file: naiveFile }).close();
  const naive = new Database(naiveFile);
  naive.pragma('journal_mode = WAL');
  naive.pragma('synchronous = NORMAL');
  const insert = naive.prepare('INSERT OR REPLACE INTO entries (key, namespace, origin, encoding, value, size, created_at, last_used) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  const naiveMs = time(() => {
    for (let i = 0; i < N; i++) {
      const text = JSON.stringify(record(i));
      insert.run(all[i], meta.namespace, meta.origin, 'json', text, text.length, Date.now(), Date.now());
    }
  });
  naive.close();

  const file = path.join(dir, 'cache.db');
  const store = new SqliteCacheStore({ file });
  const putMs = time(() => {
    for (let i = 0; i < N; i++) store.put(all[i], record(i), meta);
    store.flush();
  });

  const getManyMs = median([0, 1, 2, 3, 4].map(() => time(() => { if (store.getMany(all).size !== N) throw new Error('getMany missed'); })));
  const singleMs = median([0, 1, 2, 3, 4].map(() => time(() => { for (const key of all) if (store.get(key) === undefined) throw new Error('get missed'); })));
  store.close();

  // Whole cached-rerun lookup in a fresh process (startup + SQLite load + open + getMany), vs bare node.
  const script = path.join(dir, 'rerun.mjs');
  const openUrl = pathToFileURL(path.join(packageRoot, 'src/cache/open.ts')).href;
  const keyFile = path.join(dir, 'keys.json');
  await writeFile(keyFile, JSON.stringify(all));
  await writeFile(script, `
    import { readFileSync } from 'node:fs';
    import { openCache } from ${JSON.stringify(openUrl)};
    const keys = JSON.parse(readFileSync(${JSON.stringify(keyFile)}, 'utf8'));
    const cache = await openCache({ dir: ${JSON.stringify(dir)} });
    const hits = cache.getMany(keys).size;
    cache.close();
    if (hits !== keys.length) process.exit(1);
  `);
  const runNode = (args: string[]): number => time(() => {
    const result = spawnSync(process.execPath, args, { cwd: packageRoot });
    if (result.status !== 0) throw new Error(`child failed: ${result.stderr}`);
  });
  const bareMs = median([0, 1, 2, 3, 4].map(() => runNode(['--import', 'tsx', '-e', '0'])));
  const rerunMs = median([0, 1, 2, 3, 4].map(() => runNode(['--import', 'tsx', script])));

  const rows = [
    ['writes: autocommit INSERT per entry (baseline)', naiveMs, N / (naiveMs / 1000), 1],
    ['writes: SqliteCacheStore.put ×10k + flush', putMs, N / (putMs / 1000), naiveMs / putMs],
    ['reads: get() ×10k (baseline)', singleMs, N / (singleMs / 1000), 1],
    ['reads: getMany(10k)', getManyMs, N / (getManyMs / 1000), singleMs / getManyMs],
    ['process: node --import tsx, empty (baseline)', bareMs, NaN, 1],
    ['process: open cache + getMany(10k) hits', rerunMs, NaN, rerunMs / bareMs],
  ] as const;
  console.log(`node ${process.version}, ${os.cpus().length} cores, ${N} entries of ~${JSON.stringify(record(0)).length} B JSON`);
  console.log('| measure | ms | per second | ratio to baseline |');
  console.log('|---|---:|---:|---:|');
  for (const [name, ms, rate, ratio] of rows) {
    console.log(`| ${name} | ${ms.toFixed(1)} | ${Number.isNaN(rate) ? '–' : Math.round(rate).toLocaleString('en-US')} | ${ratio.toFixed(2)}× |`);
  }
  console.log(`process overhead of the cached 10k-key lookup: ${(rerunMs - bareMs).toFixed(0)} ms`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
