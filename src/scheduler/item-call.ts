import type { FlowRecord } from '../types/records.js';
import type { ItemContext, ItemKind, ItemResult, TaskContext } from '../types/node-kind.js';
import type { ProviderError } from '../errors.js';
import type { ChatCalls, CallTally } from './chat-calls.js';
import { emptyTally } from './chat-calls.js';
import { withRetries, type AttemptTimer, type RetryAllowance, type RetryPolicy } from './retry.js';

export interface ItemCallOptions {
  readonly kind: ItemKind;
  readonly ctx: TaskContext<Record<string, unknown>>;
  readonly chatCalls: ChatCalls;
  /** Cache entry origin of the chat answers: the task id. */
  readonly origin: string;
  /** Runs one attempt once a call slot is free (the run's and the node's caps); a worker runs it at once. */
  readonly inSlot: (attempt: () => Promise<ItemResult>, signal: AbortSignal) => Promise<ItemResult>;
  readonly policy: RetryPolicy;
  readonly budget: RetryAllowance;
  readonly timeoutMs: number;
  /** Cancels the call in flight (the grace period is over). */
  readonly abort: AbortSignal;
  /** No attempt starts once aborted (the first interrupt). */
  readonly stop: AbortSignal;
  readonly onRetry: (info: { attempt: number; delayMs: number; error: ProviderError }) => void;
  /**
   * Commits the result of an attempt that made no engine chat call (the kind may have paid a service
   * of its own) before the call's slot is given back, so a killed run loses at most the answers in
   * flight. A failed commit is the run's failure, not the attempt's: it is thrown past the retry layer.
   */
  readonly commit?: (result: ItemResult) => Promise<void>;
}

/**
 * One item sample through the single retry layer: each attempt calls `kind.item` with the attempt's
 * signal and its chat calls going through the call-level cache. The attempt's timeout counts only
 * while its call runs, not while it waits for a slot (here or in a provider's limiter). The same code
 * runs in this process and on a worker of the Redis executor.
 */
export async function callItemKind(input: FlowRecord, repeat: number, options: ItemCallOptions): Promise<{ result: ItemResult; tally: CallTally; committed: boolean }> {
  const { kind, ctx, stop } = options;
  const tally = emptyTally();
  let timer: AttemptTimer | undefined;
  const chat = options.chatCalls.chatFor({
    repeat,
    tally,
    origin: options.origin,
    // A provider's limiter (or an identical call in flight) makes the call wait: that is not call time.
    hooks: { onQueued: () => timer?.pause(), onStart: () => timer?.start() },
  });
  let committed = false;
  let storeError: { error: unknown } | undefined;
  const { value } = await withRetries(
    (signal, attempt, attemptTimer) => {
      timer = attemptTimer;
      attemptTimer.pause();
      return options.inSlot(async () => {
        // After the first interrupt no call starts, even one that was already waiting for a slot.
        stop.throwIfAborted();
        attemptTimer.start();
        const itemCtx: ItemContext<Record<string, unknown>> = { ...ctx, repeat, attempt, signal, providers: { ...ctx.providers, chat } };
        const result = await kind.item(input, itemCtx);
        if (options.commit && tally.called === 0 && tally.reused === 0) {
          attemptTimer.pause();
          await options.commit(result).then(() => (committed = true), (error: unknown) => void (storeError ??= { error }));
        }
        return result;
      }, signal);
    },
    { policy: options.policy, budget: options.budget, timeoutMs: options.timeoutMs, signal: options.abort, stop, onRetry: options.onRetry },
  );
  if (storeError) throw storeError.error;
  return { result: value, tally, committed };
}
