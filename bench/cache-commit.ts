// What it costs to commit each paid answer as it arrives (issue 13 point 3, issue 19).
// Run: npm run build && node dist/bench/cache-commit.js [entries]
// Same process, same file system, interleaved rounds; the baseline is the buffered write (one
// transaction per flush) that the cache used before answers became durable one by one:
//   durable  — SqliteCacheStore.put(..., { durable: true }) ×N: one IMMEDIATE transaction per answer (WAL, synchronous=NORMAL)
//   buffered — SqliteCacheStore.put ×N + flush: one transaction for all (baseline)
// The per-answer cost is then set against the latency of the calls it protects.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { SqliteCacheStore } from '../src/cache/sqlite-store.js';
import { chatCacheKey } from '../src/cache/key.js';
import { machine, median } from './lib.js';

const N = Number(process.argv[2] ?? 5000);
const ROUNDS = 5;

/** A chat answer as ChatCalls stores it (~300 B JSON). */
function answer(i: number): Record<string, unknown> {
  return { text: `{"label":"sadness"} ${i}`, parsed: { label: 'sadness' }, finishReason: 'stop', usage: { inputTokens: 182, outputTokens: 6 } };
}

function keys(round: number): string[] {
  return Array.from({ length: N }, (_, i) => chatCacheKey({ identity: { provider: 'openai', model: 'gpt-4o-mini' }, request: { messages: [{ role: 'user', content: `valence ${i}` }] }, repeat: round, occurrence: 0 }));
}

function time(run: () => void): number {
  const start = process.hrtime.bigint();
  run();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const dir = await mkdtemp(path.join(os.tmpdir(), 'vaflow-bench-commit-'));
try {
  const store = new SqliteCacheStore({ file: path.join(dir, 'cache.db') });
  const durable: number[] = [];
  const buffered: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const a = keys(2 * round);
    const b = keys(2 * round + 1);
    buffered.push(time(() => {
      for (let i = 0; i < N; i++) store.put(a[i], answer(i), { namespace: 'chat' });
      store.flush();
    }));
    durable.push(time(() => {
      for (let i = 0; i < N; i++) store.put(b[i], answer(i), { namespace: 'chat', durable: true });
    }));
  }
  store.close();
  const perDurableUs = (median(durable) / N) * 1000;
  const perBufferedUs = (median(buffered) / N) * 1000;
  console.log(machine());
  console.log(`${N} answers of ~${JSON.stringify(answer(0)).length} B JSON per round, ${ROUNDS} rounds, medians`);
  console.log('| write | ms per round | µs per answer | ratio to baseline |');
  console.log('|---|---:|---:|---:|');
  console.log(`| buffered: one transaction per flush (baseline) | ${median(buffered).toFixed(1)} | ${perBufferedUs.toFixed(1)} | 1.00× |`);
  console.log(`| durable: one commit per answer | ${median(durable).toFixed(1)} | ${perDurableUs.toFixed(1)} | ${(median(durable) / median(buffered)).toFixed(2)}× |`);
  for (const latencyMs of [50, 500]) {
    console.log(`added to a ${latencyMs} ms call: ${(((perDurableUs - perBufferedUs) / 1000 / latencyMs) * 100).toFixed(3)}%`);
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
