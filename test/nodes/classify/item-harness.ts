/**
 * Drives an item kind the way the engine does for one input record: a provider created once per
 * model through the real registry, and the engine's own retry layer (src/scheduler/retry.ts:
 * per-attempt timeout, retryable failures only, the server's Retry-After, the budget). Only its
 * sleep is injected, cut to at most 20 ms so tests stay fast; the waits the engine chose are
 * recorded. It records the attempts and the waits the server asked for.
 */
import type { ItemKind, ItemResult, KindLogEvent } from '../../../src/types/node-kind.js';
import type { ChatProvider, ResolvedModel } from '../../../src/types/providers.js';
import type { FlowRecord } from '../../../src/types/records.js';
import { createChatProvider } from '../../../src/providers/chat/registry.js';
import { AttemptsExhausted, DEFAULT_RETRY_POLICY, RetryBudget, withRetries } from '../../../src/scheduler/retry.js';

export interface HarnessOptions<P> {
  readonly model: ResolvedModel;
  readonly params: P;
  /** @default 2000 */
  readonly timeoutMs?: number;
  /** Retries after the first attempt. @default 2 */
  readonly retries?: number;
  readonly repeat?: number;
  readonly env?: Record<string, string>;
  /** Receives the kind's ctx.log events. @default drops them */
  readonly log?: (event: KindLogEvent) => void;
}

export interface HarnessOutcome {
  readonly result?: ItemResult;
  readonly error?: unknown;
  readonly attempts: number;
  /** retryAfterMs of each retried error (undefined where the server named none). */
  readonly serverWaits: (number | undefined)[];
  /** The wait the engine's retry layer chose before each retry. */
  readonly delays: number[];
}

const providers = new Map<string, Promise<ChatProvider>>();

export async function runItem<P>(kind: ItemKind<P>, input: FlowRecord, options: HarnessOptions<P>): Promise<HarnessOutcome> {
  const { model, params } = options;
  const chat = (m: ResolvedModel) => {
    const key = JSON.stringify(m);
    let provider = providers.get(key);
    if (!provider) {
      provider = createChatProvider(m, { env: options.env ?? {}, specDir: process.cwd() });
      providers.set(key, provider);
    }
    return provider;
  };
  const retries = options.retries ?? 2;
  const timeoutMs = options.timeoutMs ?? 2000;
  const serverWaits: (number | undefined)[] = [];
  const delays: number[] = [];
  try {
    const { value, attempts } = await withRetries(
      (signal, attempt) => kind.item(input, {
        taskId: 't', nodeId: 'classify', params, coords: { model: model.id }, model, spec: { version: 1, name: 'test', nodes: {} },
        specDir: process.cwd(), runDir: process.cwd(), seed: 42, signal, log: options.log ?? (() => {}),
        providers: { chat, shared: (_key, create) => create(), fileDigest: () => Promise.reject(new Error('classify reads no file')), embedder: () => { throw new Error('classify uses no embedder'); }, renderCharts: () => Promise.reject(new Error('classify draws no chart')), computeCached: () => { throw new Error('classify computes nothing cached'); } },
        repeat: options.repeat ?? 0, attempt,
      }),
      {
        policy: { ...DEFAULT_RETRY_POLICY, retries },
        budget: new RetryBudget(Number.POSITIVE_INFINITY),
        timeoutMs,
        signal: new AbortController().signal,
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.min(ms, 20))),
        onRetry: ({ delayMs, error }) => {
          serverWaits.push(error.retryAfterMs);
          delays.push(delayMs);
        },
      },
    );
    return { result: value, attempts, serverWaits, delays };
  } catch (error) {
    if (error instanceof AttemptsExhausted) return { error: error.cause, attempts: error.attempts, serverWaits, delays };
    throw error;
  }
}

/** A prompt record as prompt-variant makes it. */
export function promptRecord(id: string, valence: number, arousal: number, label?: string): FlowRecord {
  return {
    id, node: 'prompts', coords: { variant: 'numeric' }, valence, arousal, ...(label ? { label } : {}), vaSource: 'table',
    messages: [
      { role: 'system', content: 'You read facial affect from valence and arousal values in [-1, 1].' },
      { role: 'user', content: `Valence: ${valence}, arousal: ${arousal}. Which emotion does the face show? Answer with one word.` },
    ],
  };
}
