import { test } from 'node:test';
import assert from 'node:assert/strict';
import { estimateInputTokens, estimateTokens, limitChat, type CallLimiter } from '../../../src/scheduler/limiter/limit-chat.js';
import { ProviderLimiter, type CallHooks } from '../../../src/scheduler/provider-limiter.js';
import type { ChatProvider, ChatRequest, ChatResponse } from '../../../src/types/providers.js';

// limitChat in front of a limiter that records what it was asked (the shape of CallLimiter, which the
// Redis executor's shared limiter also has): the estimate, the usage it is told afterwards, the hooks.

function recordingLimiter() {
  const runs: { estimate: number; actual?: number; hooks: CallHooks }[] = [];
  const limiter: CallLimiter = {
    run: async <T>(estimate: number, call: () => Promise<T>, actualTokens: (result: T) => number | undefined, hooks: CallHooks = {}) => {
      const run: { estimate: number; actual?: number; hooks: CallHooks } = { estimate, hooks };
      runs.push(run);
      hooks.onStart?.();
      const result = await call();
      run.actual = actualTokens(result);
      return result;
    },
  };
  return { limiter, runs };
}

const request = (content: string, extra: Partial<ChatRequest> = {}): ChatRequest => ({ messages: [{ role: 'user', content }], signal: new AbortController().signal, ...extra });

test('the token estimate: a token per 4 characters of every message (rounded up), plus the answer budget (64 when neither the request nor the model names one)', () => {
  assert.equal(estimateInputTokens([]), 0);
  assert.equal(estimateInputTokens([{ content: 'x'.repeat(401) }]), 101, 'rounded up');
  assert.equal(estimateInputTokens([{ content: 'x'.repeat(10) }, { content: 'y'.repeat(6) }]), 4, 'every message counts');
  assert.equal(estimateTokens(request('x'.repeat(8))), 2 + 64);
  assert.equal(estimateTokens(request('x'.repeat(8)), 500), 2 + 500);
  assert.equal(estimateTokens(request('x'.repeat(8), { maxTokens: 7 }), 500), 2 + 7, 'the request\'s own budget wins');
  assert.equal(estimateTokens(request('x'.repeat(8), { maxTokens: 0 })), 2, 'a budget of 0 is a budget');
  assert.equal(estimateTokens(request('x'.repeat(400), { maxTokens: 20 })), 120);
});

test('limitChat asks the limiter with the estimate (the model\'s own answer budget as the default), tells it the usage, and passes the request\'s signal', async () => {
  const { limiter, runs } = recordingLimiter();
  const answers: ChatResponse[] = [{ text: 'a', usage: { inputTokens: 100, outputTokens: 7 } }, { text: 'b' }];
  let next = 0;
  const provider: ChatProvider = { id: 'model-x', call: async () => answers[next++] ?? { text: 'c' } };
  const chat = limitChat(provider, limiter, { maxTokens: 300 });
  assert.equal(chat.id, 'model-x');
  const first = request('x'.repeat(40));
  const started: string[] = [];
  assert.deepEqual(await chat.call(first, { onStart: () => started.push('first') }), answers[0]);
  assert.deepEqual(await chat.call(request('x'.repeat(40), { maxTokens: 5 })), answers[1]);
  assert.equal(runs[0]!.estimate, 10 + 300);
  assert.equal(runs[0]!.actual, 107, 'input and output tokens');
  assert.equal(runs[0]!.hooks.signal, first.signal);
  assert.deepEqual(started, ['first'], 'the caller\'s hooks reach the limiter');
  assert.equal(runs[1]!.estimate, 10 + 5);
  assert.equal(runs[1]!.actual, undefined, 'no usage reported: nothing to correct');
  const defaults = recordingLimiter();
  await limitChat(provider, defaults.limiter).call(request('x'.repeat(40)));
  assert.equal(defaults.runs[0]!.estimate, 10 + 64);
});

/** A provider that admits its calls itself (llama.cpp's one context), logging admission, call and release. */
function admittingProvider(log: string[], answer: () => Promise<ChatResponse>): ChatProvider {
  return {
    id: 'local',
    admit: async () => {
      log.push('admit');
      return () => log.push('release');
    },
    call: async () => {
      log.push('call');
      return answer();
    },
  };
}

test('a provider that admits calls itself, through the real limiter: admitted and released around each call, queued twice, an aborted request never called', async () => {
  const log: string[] = [];
  // A limiter with no token limit configured: the usage is passed through and corrects nothing.
  const answer = { text: 'ok', usage: { inputTokens: 3, outputTokens: 1 } };
  const chat = limitChat(admittingProvider(log, async () => answer), new ProviderLimiter({}));
  const sent = request('hi');
  assert.deepEqual(await chat.call(sent), answer, 'without hooks');
  await chat.call(sent, { onQueued: () => log.push('queued'), onStart: () => log.push('started') });
  // Queued before the admission and again in the limiter's queue: both pause the attempt's timer.
  assert.deepEqual(log, ['admit', 'call', 'release', 'queued', 'admit', 'queued', 'started', 'call', 'release']);
  const aborted = new AbortController();
  aborted.abort(new Error('cancelled'));
  log.length = 0;
  await assert.rejects(chat.call({ ...sent, signal: aborted.signal }), /cancelled/);
  assert.deepEqual(log, ['admit', 'release'], 'an aborted request never calls, and its admission is released');
});

test('a provider that admits calls itself: the admission is released when the call fails too; the limiter gets the estimate and the request\'s signal', async () => {
  const { limiter, runs } = recordingLimiter();
  const log: string[] = [];
  const chat = limitChat(admittingProvider(log, async () => { throw new Error('context full'); }), limiter, { maxTokens: 16 });
  const sent = request('x'.repeat(4));
  await assert.rejects(chat.call(sent, { onQueued: () => log.push('queued'), onStart: () => log.push('started') }), /context full/);
  assert.deepEqual(log, ['queued', 'admit', 'started', 'call', 'release']);
  assert.equal(runs[0]!.estimate, 1 + 16);
  assert.equal(runs[0]!.hooks.signal, sent.signal);
  log.length = 0;
  await assert.rejects(chat.call(sent), /context full/);
  assert.deepEqual(log, ['admit', 'call', 'release'], 'without hooks');
  log.length = 0;
  await assert.rejects(chat.call(sent, { onStart: () => log.push('started') }), /context full/);
  assert.deepEqual(log, ['admit', 'started', 'call', 'release'], 'with onStart alone');
});
