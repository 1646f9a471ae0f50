/**
 * Drives an item kind the way the engine does for one input record: a provider created once per
 * model through the real registry, a per-call timeout on the item's signal, and one retry loop
 * that retries retryable ProviderErrors (honouring retryAfterMs, shortened to keep tests fast) and
 * nothing else. It records the attempts and the waits the server asked for.
 */
import type { ItemKind, ItemResult, KindLogEvent } from '../../../src/types/node-kind.js';
import type { ChatProvider, ResolvedModel } from '../../../src/types/providers.js';
import type { FlowRecord } from '../../../src/types/records.js';
import { createChatProvider } from '../../../src/providers/chat/registry.js';
import { ProviderError, TimeoutError } from '../../../src/errors.js';

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
  for (let attempt = 1; ; attempt++) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new TimeoutError(timeoutMs)), timeoutMs);
    try {
      const result = await kind.item(input, {
        taskId: 't', nodeId: 'classify', params, coords: { model: model.id }, model, spec: { version: 1, name: 'test', nodes: {} },
        specDir: process.cwd(), runDir: process.cwd(), seed: 42, signal: controller.signal, log: options.log ?? (() => {}),
        providers: { chat, shared: (_key, create) => create(), fileDigest: () => Promise.reject(new Error('classify reads no file')), embedder: () => { throw new Error('classify uses no embedder'); } },
        repeat: options.repeat ?? 0, attempt,
      });
      return { result, attempts: attempt, serverWaits };
    } catch (error) {
      if (!(error instanceof ProviderError) || !error.retryable || attempt > retries) return { error, attempts: attempt, serverWaits };
      serverWaits.push(error.retryAfterMs);
      await new Promise((resolve) => setTimeout(resolve, Math.min(error.retryAfterMs ?? 5, 20)));
    } finally {
      clearTimeout(timer);
    }
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
