/**
 * The per-call timeout measures the call (issue 13 point 1): not the wait for a rate slot; an aborted
 * call leaves the limiter's queue; an answer that arrives is never thrown away. Checked against a
 * loopback server that counts what it received and what it answered (an answer it generated is an
 * answer paid for).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { runPipeline } from '../../src/run/run-pipeline.js';
import { promptHash, startOpenAIServer, type Fault, type Responder } from '../helpers/openai-server.js';
import { withTempDir } from '../helpers/temp-dir.js';
import { BASIC7_TERMS, studyResponder } from './fixtures/study-pipeline.js';

const TERMS = 63;

function pipeline(url: string, defaults: string): string {
  return `version: 1
name: timeouts
models:
  m: { provider: openai, model: m, baseURL: "${url}" }
defaults: { ${defaults} }
nodes:
  terms: { kind: extract, with: { table: "${BASIC7_TERMS}" } }
  prompts: { kind: prompt-variant, needs: [terms], with: { labels: basic7, variants: { numeric: { format: numeric } } } }
  classify: { kind: classify, needs: [prompts], with: { models: [m], labels: basic7 } }
`;
}

/** Counts the answers the server generated, per prompt: the responder runs only for a client still waiting. */
function countingResponder(inner: Responder): { responder: Responder; paid: Map<string, number> } {
  const paid = new Map<string, number>();
  return {
    paid,
    responder: (request) => {
      const key = promptHash(request.messages);
      paid.set(key, (paid.get(key) ?? 0) + 1);
      return inner(request);
    },
  };
}

test('slow rate slots do not time calls out: 63 calls at one per 100 ms (~6 s of waiting) with a 2 s timeout all succeed, first try', async () => {
  const server = await startOpenAIServer({ responder: studyResponder });
  try {
    await withTempDir('rate-slots', async (dir) => {
      const file = path.join(dir, 'p.yaml');
      // 2 s, not less: a loopback call on a loaded machine (mutation runs, load 15+) can take 400 ms;
      // a timer that counted the wait for a slot would still fire for every call after the 20th.
      writeFileSync(file, pipeline(server.url, 'concurrency: 16, timeoutMs: 2000, retries: 2, limits: { openai: { requestsPerMinute: 600 } }'));
      const result = await runPipeline({ file, runsDir: path.join(dir, 'runs'), cacheDir: path.join(dir, 'cache'), env: {} });
      const stats = result.tasks['classify[model=m,variant=numeric]'];
      assert.equal(result.status, 'completed', stats.reason);
      assert.deepEqual([stats.errors, stats.retries, stats.records], [0, 0, TERMS], 'no call timed out while it waited ~6 s for its slot');
      assert.equal(server.requests.chat, TERMS);
    });
  } finally {
    await server.close();
  }
});

test('timeouts near the deadline, 5xx and 429s under slow rate slots: every retry reaches the server, no answer is paid twice', async () => {
  const counting = countingResponder(studyResponder);
  const server = await startOpenAIServer({ responder: counting.responder });
  // Each prompt's first request gets one of these; later requests are answered at once.
  // timeoutMs 2000: the call is aborted 500 ms after its deadline (the late window). The margins
  // (300–400 ms either side of the cut) are wider than a loaded 2-core machine's event-loop stalls.
  const mix: (Fault | undefined)[] = [
    { type: 'delay', ms: 1600 }, // before the deadline
    { type: 'delay', ms: 2100 }, // just after it: arriving, kept
    { type: 'delay', ms: 2200 },
    { type: 'delay', ms: 6000 }, // far past it: aborted, retried
    { type: 'status', status: 500 },
    { type: 'status', status: 429, retryAfterMs: 30 },
    { type: 'disconnect' },
    undefined,
  ];
  const seen = new Map<string, number>();
  const firstFault = new Map<string, Fault | undefined>();
  server.rule = (request) => {
    const key = promptHash(request.messages);
    const n = seen.get(key) ?? 0;
    seen.set(key, n + 1);
    if (n > 0) return undefined;
    const fault = mix[parseInt(key.slice(0, 4), 16) % mix.length];
    firstFault.set(key, fault);
    return fault;
  };
  try {
    await withTempDir('near-deadline', async (dir) => {
      const file = path.join(dir, 'p.yaml');
      writeFileSync(file, pipeline(server.url, 'concurrency: 8, timeoutMs: 2000, retries: 4, limits: { openai: { requestsPerMinute: 1200 } }'));
      const result = await runPipeline({ file, runsDir: path.join(dir, 'runs'), cacheDir: path.join(dir, 'cache'), env: {} });
      const stats = result.tasks['classify[model=m,variant=numeric]'];
      assert.equal(result.status, 'completed', stats.reason);
      assert.equal(stats.records, TERMS);
      assert.equal(server.requests.chat, TERMS + stats.retries, 'every retry reached the server: none was spent waiting for a slot');
      const faulted = [...firstFault.values()].filter((f) => f && !(f.type === 'delay' && f.ms < 2500)).length;
      assert.equal(stats.retries, faulted, 'exactly the failed calls were retried: answers just past the deadline were kept');
      const paidTwice = [...counting.paid.entries()].filter(([, n]) => n > 1);
      assert.deepEqual(paidTwice, [], 'no prompt was answered twice');
      assert.equal(counting.paid.size, TERMS);
    });
  } finally {
    await server.close();
  }
});
