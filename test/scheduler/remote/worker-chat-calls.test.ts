/**
 * An execution's chat call on a worker, with the exchange and the provider played by the test: after
 * paying, the execution goes on with the answer the coordinator says stands, and its return value
 * carries only an answer of its own that stood (so its record and the cache hold one answer).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChatRequest, ChatResponse, ResolvedModel } from '../../../src/types/providers.js';
import type { EngineProviders } from '../../../src/scheduler/provider-services.js';
import type { ChatExchangeClient, Reply } from '../../../src/run/remote/chat-exchange.js';
import type { PaidAnswer } from '../../../src/run/remote/protocol.js';
import { emptyTally, type AttemptScope } from '../../../src/scheduler/chat-calls.js';
import { WorkerChatCalls } from '../../../src/run/remote/worker-chat-calls.js';

const model = { id: 'm', provider: 'openai', model: 'm' } as ResolvedModel;
const request = { messages: [{ role: 'user', content: 'hi' }], signal: new AbortController().signal } as unknown as ChatRequest;

/** WorkerChatCalls with its one call reachable. */
class Exposed extends WorkerChatCalls {
  callFor(key: string, scope: AttemptScope): Promise<ChatResponse> {
    return this.call(key, model, request, scope);
  }
}

/** `standing`: what the coordinator says stands after the answer is delivered: it (`kept`), or another execution's answer. */
function setting(reply: Reply, standing: 'kept' | ChatResponse) {
  let paidCalls = 0;
  const delivered: ChatResponse[] = [];
  const providers = { limitedChat: async () => ({ call: async () => (paidCalls++, { text: 'own', usage: { inputTokens: 3, outputTokens: 1 } }) }) } as unknown as EngineProviders;
  const exchange = {
    ask: async () => reply,
    deliver: async (_coordinator: string, _call: unknown, answer: ChatResponse) => (delivered.push(answer), standing === 'kept' ? { answer, kept: true } : { answer: standing, kept: false }),
    tell: () => undefined,
  } as unknown as ChatExchangeClient;
  const paid: PaidAnswer[] = [];
  const calls = new Exposed(providers, exchange, { exec: 'job/1', coordinator: 'c', register: () => undefined }, paid, new AbortController().signal);
  const scope: AttemptScope = { repeat: 0, tally: emptyTally(), origin: 'task' };
  return { calls, scope, paid, delivered, paidCalls: () => paidCalls };
}

test('the execution\'s own answer stands: it is used, delivered and carried in the return value', async () => {
  const s = setting('go', 'kept');
  assert.deepEqual(await s.calls.callFor('k', s.scope), { text: 'own', usage: { inputTokens: 3, outputTokens: 1 } });
  assert.deepEqual(s.delivered, [{ text: 'own', usage: { inputTokens: 3, outputTokens: 1 } }]);
  assert.deepEqual(s.paid, [['k', { text: 'own', usage: { inputTokens: 3, outputTokens: 1 } }, 'm']]);
  assert.equal(s.scope.tally.called, 1);
});

test('another execution\'s answer stands: the execution goes on with it and does not carry its own', async () => {
  const s = setting('go', { text: 'theirs' });
  assert.deepEqual(await s.calls.callFor('k', s.scope), { text: 'theirs' }, 'the record is built from the stored answer');
  assert.deepEqual(s.paid, [], 'its own answer does not travel to the cache');
  assert.equal(s.scope.tally.called, 1, 'it did pay');
  assert.equal(s.paidCalls(), 1);
});

test('a hit is not paid for', async () => {
  const s = setting({ hit: { text: 'cached' } }, 'kept');
  assert.deepEqual(await s.calls.callFor('k', s.scope), { text: 'cached' });
  assert.equal(s.paidCalls(), 0);
  assert.deepEqual([s.scope.tally.called, s.scope.tally.reused], [0, 1]);
});
