/**
 * A kind may send the same request more than once for one item (sampling it twice on purpose): each
 * occurrence is a call of its own, with its own cache entry, and a rerun gets each occurrence's
 * answer back. Occurrences are counted per item and per request, whatever else the item asked.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import { ChatCalls, emptyTally } from '../../src/scheduler/chat-calls.js';
import { createProviderServices } from '../../src/scheduler/provider-services.js';
import { MemoryCacheStore } from '../../src/cache/memory-store.js';
import type { ChatRequest, ResolvedModel } from '../../src/types/providers.js';
import { startOpenAIServer, type ChatCompletionBody } from '../helpers/openai-server.js';

// Each answer names how many times the server has been asked this prompt, so answers tell occurrences apart.
const asked = new Map<string, number>();
const server = await startOpenAIServer({
  responder: (request: ChatCompletionBody) => {
    const prompt = request.messages.at(-1)!.content;
    const n = (asked.get(prompt) ?? 0) + 1;
    asked.set(prompt, n);
    return `${prompt} #${n}`;
  },
});
after(() => server.close());

const model: ResolvedModel = { id: 'm', provider: 'openai', model: 'gpt-test', baseURL: server.url, structuredOutput: false };
const cache = new MemoryCacheStore();
const calls = new ChatCalls({
  providers: createProviderServices({ env: {}, specDir: process.cwd(), vectorCacheDir: os.tmpdir(), cache: null }),
  cache,
  mode: { read: true, write: true },
  onStoreError: (error) => { throw error; },
});

/** One item asking these prompts in order; what came back and how many answers were paid. */
async function item(prompts: readonly string[]): Promise<{ answers: string[]; called: number; reused: number }> {
  const tally = emptyTally();
  const chat = await calls.chatFor({ repeat: 0, tally, origin: 'test' })(model);
  const answers: string[] = [];
  for (const prompt of prompts) {
    const request: ChatRequest = { messages: [{ role: 'user', content: prompt }], signal: new AbortController().signal };
    answers.push((await chat.call(request)).text);
  }
  return { answers, called: tally.called, reused: tally.reused };
}

test('the same request twice in one item is two calls; a rerun gets each occurrence back; other requests between them do not count', async () => {
  const first = await item(['A', 'A', 'B', 'A']);
  assert.deepEqual(first, { answers: ['A #1', 'A #2', 'B #1', 'A #3'], called: 4, reused: 0 });
  assert.equal(server.requests.chat, 4);
  // The same item again: every occurrence from the cache, in order.
  assert.deepEqual(await item(['A', 'A', 'B', 'A']), { answers: ['A #1', 'A #2', 'B #1', 'A #3'], called: 0, reused: 4 });
  // Another order: B's first occurrence and A's first and second are the stored ones; A's fourth is new.
  assert.deepEqual(await item(['B', 'A', 'A', 'A', 'A']), { answers: ['B #1', 'A #1', 'A #2', 'A #3', 'A #4'], called: 1, reused: 4 });
  assert.equal(server.requests.chat, 5);
});
