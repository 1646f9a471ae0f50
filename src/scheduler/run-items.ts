import type { FlowRecord } from '../types/records.js';
import type { ItemKind, ItemResult } from '../types/node-kind.js';
import type { TaskNode } from '../types/graph.js';
import type { TaskRuntime } from './task-runtime.js';
import { itemFunnel, type TaskIO } from './task-io.js';
import { itemCacheKeyFor, modelIdentity, embedderIdentity } from '../cache/key.js';
import { sha256 } from '../util/hash.js';
import { DEFAULT_RETRY_POLICY, RetryBudget, type RetryPolicy } from './retry.js';
import { describeItemError, type ItemErrorRecord } from './item-errors.js';
import { InputOrder } from './input-order.js';
import { isStorageError } from '../errors.js';
import { countUsage } from './usage.js';
import type { CallTally } from './chat-calls.js';
import { callItemKind } from './item-call.js';
import { outputLineFor, outputRecord } from './output-record.js';
import { batchesOf } from '../artifacts/jsonl.js';

function omit(params: Readonly<Record<string, unknown>>, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(params)) if (!keys.includes(k)) out[k] = v;
  return out;
}

function isItemResult(value: unknown): value is ItemResult {
  return !!value && typeof value === 'object' && 'fields' in value && typeof (value as { fields: unknown }).fields === 'object';
}

/**
 * Runs an item kind: every input record × repeat index is one unit with its own cache key. Cached
 * units are served without calling the kind; misses go through the single retry layer, under the
 * node's and the run's caps on calls in flight (CallSlots). Each attempt's timeout counts only while
 * its call runs: not while it waits for a slot (here or in a provider's limiter). After the first
 * interrupt no call starts; calls in flight may finish within the grace period. Records and errors
 * are written in input order (InputOrder). Cheap pure kinds (cacheable: false) run inline.
 */
export async function runItemTask(task: TaskNode, kind: ItemKind, runtime: TaskRuntime, io: TaskIO): Promise<void> {
  const ctx = io.context;
  const { stats } = io;
  const cacheable = kind.cacheable !== false;
  const repeats = Math.max(1, kind.repeats?.(task.params) ?? 1);
  const keyOf = itemCacheKeyFor({
    kind: kind.name,
    kindVersion: kind.version,
    params: omit(task.params, task.axisParams),
    identity: {
      model: ctx.model ? modelIdentity(ctx.model) : undefined,
      embedder: ctx.embedder ? embedderIdentity(ctx.embedder) : undefined,
    },
  });

  const funnel = itemFunnel(task, runtime.lifeCycle, io);
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, retries: task.settings.retries };
  const budget = new RetryBudget(task.settings.retryBudget);
  const cache = runtime.cache;

  const onRetry = ({ attempt, delayMs, error }: { attempt: number; delayMs: number; error: { code: string } }, itemId: string) => {
    stats.retries++;
    runtime.lifeCycle.retry?.(task, { itemId, attempt, delayMs, code: error.code });
  };
  /** One item sample through the retry layer (item-call.ts), here or, with an executor, on a worker. */
  const remote = runtime.items && cacheable ? await runtime.items.forTask(task, kind, ctx, onRetry) : undefined;
  const stored = (result: ItemResult) => ({ fields: result.fields, ...(result.usage ? { usage: result.usage } : {}) });
  const itemMeta = { namespace: 'item', origin: task.id, ...(ctx.model ? { model: ctx.model.id } : {}) };
  const commit = runtime.cacheMode.write && cache ? (key: string) => (result: ItemResult) => cache.putDurable(key, stored(result), itemMeta) : undefined;
  const callKind = (input: FlowRecord, repeat: number, key: string): Promise<{ result: ItemResult; tally: CallTally; committed?: boolean }> =>
    remote
      ? remote(input, repeat, key)
      : callItemKind(input, repeat, {
        kind,
        ctx,
        chatCalls: runtime.chatCalls,
        origin: task.id,
        inSlot: (attempt, signal) => runtime.slots.run(task.nodeId, task.settings.concurrency, attempt, signal),
        policy,
        budget,
        timeoutMs: task.settings.timeoutMs,
        abort: runtime.abortSignal,
        stop: runtime.stopSignal,
        onRetry: (info) => onRetry(info, input.id),
        ...(commit ? { commit: commit(key) } : {}),
      });

  /** What one input became: a record (or its JSON line) or an item error, written in input order; nothing when interrupted. */
  type Outcome = { readonly record: FlowRecord } | { readonly line: string } | { readonly error: ItemErrorRecord } | null;
  const lineOf = outputLineFor(task);

  const failed = (input: FlowRecord, error: unknown, repeat?: number): Outcome => {
    funnel.settled('error');
    return { error: { id: input.id, coords: task.coords, ...(repeat !== undefined && repeats > 1 ? { repeat } : {}), error: describeItemError(error) } };
  };

  /**
   * An input whose every sample is in the looked-up entries, served at once: no promise, and its line
   * spliced from the input's JSON text when that gives the same bytes (outputLineFor). Undefined when
   * a sample is missing (processCached then computes it).
   */
  const servedFromCache = (entry: Keyed): Outcome | undefined => {
    const { keys, hits } = entry;
    if (!hits) return undefined;
    for (const key of keys) if (!isItemResult(hits.get(key))) return undefined;
    stats.cacheHits += repeats;
    return complete(entry, keys.map((key) => hits.get(key) as ItemResult), 'cached');
  };

  /** An input whose samples are all in: merged, counted as settled, and written as its line spliced from the input's JSON text when that gives the same bytes (outputLineFor). */
  const complete = ({ input, inputJson }: Keyed, samples: readonly ItemResult[], outcome: 'cached' | 'computed'): Outcome => {
    const merged = repeats > 1 ? summarize(kind, samples, input, task) : samples[0];
    funnel.settled(outcome);
    const line = inputJson === undefined ? undefined : lineOf(input, inputJson, merged.fields);
    return line === undefined ? { record: outputRecord(input, merged.fields, task) } : { line };
  };

  const processCached = async (entry: Keyed): Promise<Outcome> => {
    const { input, keys, hits } = entry;
    const samples: ItemResult[] = [];
    let computed = false;
    for (let repeat = 0; repeat < repeats; repeat++) {
      const key = keys[repeat];
      const hit = !runtime.cacheMode.read ? undefined : hits ? hits.get(key) : cache?.get(key);
      if (isItemResult(hit)) {
        stats.cacheHits++;
        samples.push(hit);
        continue;
      }
      if (runtime.dryRun) {
        funnel.settled('pending');
        return null;
      }
      if (runtime.stopSignal.aborted) return null;
      let result: ItemResult;
      let tally: CallTally;
      let committed: boolean | undefined;
      try {
        ({ result, tally, committed } = await callKind(input, repeat, key));
      } catch (error) {
        // A cache that cannot commit stops the run (halt); it is no item's error.
        if (isStorageError(error)) throw error;
        // Interrupted: not an item error; the task is abandoned and a resume computes the item.
        if (runtime.stopSignal.aborted) return null;
        stats.cacheMisses++;
        return failed(input, error, repeat);
      }
      // Every chat answer came from the cache (another task sent the same request): nothing was paid.
      const reused = tally.called === 0 && tally.reused > 0;
      if (reused) stats.cacheHits++;
      else {
        stats.cacheMisses++;
        computed = true;
      }
      // Tokens are counted for calls that were made: the engine's tally when the kind used ctx.providers.chat.
      countUsage(stats, tally.called + tally.reused > 0 ? tally.usage : result.usage, ctx.model);
      // A paid answer is committed already (by ChatCalls, or in callItemKind's commit); this entry can be rebuilt from them.
      if (runtime.cacheMode.write && cache && !committed) cache.put(key, stored(result), itemMeta);
      samples.push(result);
    }
    return complete(entry, samples, computed ? 'computed' : 'cached');
  };

  // Pure kinds see one context for every item: no per-item copy of it on the hot path.
  const pureContext = { ...ctx, repeat: 0, attempt: 1 };
  const processPure = async (input: FlowRecord): Promise<Outcome> => {
    try {
      const result = await kind.item(input, pureContext);
      funnel.settled('computed');
      return { record: outputRecord(input, result.fields, task) };
    } catch (error) {
      return failed(input, error);
    }
  };

  // A storage failure (records on a full disk, a cache that cannot commit) stops the whole run at
  // once, so the items waiting for a slot never call; the task then ends failed with it.
  const halt = (error: unknown) => {
    if (isStorageError(error)) runtime.failure.fail(error);
    inOrder.fail(error);
  };
  const inOrder: InputOrder<Outcome> = new InputOrder<Outcome>({
    window: orderWindow(runtime.slots.capOf(task.settings.concurrency)),
    // Synchronous unless the writer's buffer is full: a line from the cache costs no promise.
    write: (outcome) => {
      if (outcome === null) return;
      try {
        const written = 'line' in outcome ? io.records.writeLine(outcome.line)
          : 'record' in outcome ? io.records.writeLine(JSON.stringify(outcome.record)) : io.errors.writeLine(JSON.stringify(outcome.error));
        return written?.catch(storageFailure);
      } catch (error) {
        storageFailure(error);
      }
    },
  });
  const storageFailure = (error: unknown): never => {
    if (isStorageError(error)) runtime.failure.fail(error);
    throw error;
  };
  /**
   * The inputs LOOKAHEAD at a time, each as `entry` makes it. Batches, not single inputs, cross the
   * async boundary (and the reader's chunks feed them: `batchesOf`): no promise per input here.
   */
  const lookahead = async function* (entry: (input: FlowRecord) => Keyed): AsyncIterable<Keyed[]> {
    let batch: Keyed[] = [];
    for await (const chunk of batchesOf(io.inputs())) for (const input of chunk) {
      batch.push(entry(input));
      if (batch.length >= LOOKAHEAD) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0) yield batch;
  };
  // Records are built by the same code in the same key order every time, so their plain JSON is a
  // stable fingerprint; the canonical (sorted) form cost a tenth of a cached rerun. The text is kept:
  // an item's output line is spliced from it (outputLineFor).
  const keyed = (input: FlowRecord): Keyed => {
    const inputJson = JSON.stringify(input);
    const inputHash = sha256(inputJson);
    return { input, inputJson, keys: repeats === 1 ? [keyOf(inputHash, 0)] : Array.from({ length: repeats }, (_, repeat) => keyOf(inputHash, repeat)) };
  };
  /** The keyed inputs with, when the cache is read, what it holds for a whole batch looked up in one go (one SQLite statement, not one per item). */
  const withCachedEntries = async function* (batches: AsyncIterable<Keyed[]>): AsyncIterable<Keyed[]> {
    for await (const batch of batches) {
      if (runtime.cacheMode.read && cache !== null) {
        const keys: string[] = [];
        for (const entry of batch) keys.push(...entry.keys);
        const hits = cache.getMany(keys);
        for (const entry of batch) entry.hits = hits;
      }
      yield batch;
    }
  };
  const batches = cacheable ? withCachedEntries(lookahead(keyed)) : lookahead((input) => ({ input, keys: [] }));
  // This task's items still being computed: none may outlive the task, whatever ends it.
  const running = new Set<Promise<void>>();
  try {
    admission: for await (const batch of batches) {
      for (const entry of batch) {
        if (runtime.stopSignal.aborted) break admission;
        stats.items++;
        // Back-pressure: at most `window` inputs are admitted and not yet written.
        const seq = inOrder.tryAdmit() ?? await inOrder.admit();
        if (!cacheable) {
          inOrder.settle(seq, await processPure(entry.input));
          continue;
        }
        const served = servedFromCache(entry);
        if (served !== undefined) {
          inOrder.settle(seq, served);
          continue;
        }
        const item = processCached(entry).then((outcome) => inOrder.settle(seq, outcome), halt);
        running.add(item);
        void item.finally(() => running.delete(item));
      }
    }
  } catch (error) {
    // An unreadable upstream file or a failed write.
    halt(error);
  }
  await Promise.all(running);
  await inOrder.finished();
}

/** Inputs whose cache entries are looked up together (the store's statement takes up to 500 keys). */
const LOOKAHEAD = 500;

/** An input with its JSON text and cache key per repeat and, when the cache is read, the entries found for a batch of inputs. */
interface Keyed {
  readonly input: FlowRecord;
  readonly inputJson?: string;
  readonly keys: readonly string[];
  hits?: ReadonlyMap<string, unknown>;
}

/**
 * How many finished results may wait for a slower earlier one: enough that a few retried items do
 * not stall the others, small enough that records never pile up in memory (a few MB at most).
 */
export function orderWindow(concurrency: number): number {
  return Math.max(256, 8 * concurrency);
}

function summarize(kind: ItemKind, samples: readonly ItemResult[], input: FlowRecord, task: TaskNode): ItemResult {
  if (kind.summarize) return kind.summarize(samples, input, task.params);
  return { fields: { ...samples[0].fields, samples: samples.map((s) => s.fields) } };
}

