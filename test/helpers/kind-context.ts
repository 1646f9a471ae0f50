import os from 'node:os';
import path from 'node:path';
import type { ItemContext, KindLogEvent, SourceItem, SourceRecord, TaskContext } from '../../src/types/node-kind.js';
import type { Pipeline } from '../../src/types/generated/pipeline.js';
import { hashFile } from '../../src/util/hash.js';
import type { ChatProvider, ProviderServices, ResolvedEmbedder, ResolvedModel } from '../../src/types/providers.js';
import type { EmbeddingsInterface } from '@langchain/core/embeddings';
import type { CacheStore } from '../../src/cache/store.js';
import { cachedEmbedder } from '../../src/scheduler/embed-cached.js';
import { cachedChartRenderer } from '../../src/scheduler/chart-cached.js';
import { cachedComputation } from '../../src/scheduler/computed-cached.js';
import { chartRendererVersion, loadChartRenderer } from '../../src/report/render-svg.js';
import type { Coords } from '../../src/types/records.js';
import { ConfigError } from '../../src/errors.js';
import { privateVectorDir } from './vector-cache.js';

/**
 * Minimal contexts for calling a kind directly in tests (`kind.source(ctx)`, `kind.item(record, ctx)`),
 * without the engine. Every field has a sensible default; pass only what the test is about.
 */
export interface KindContextOptions<P> {
  readonly params: P;
  readonly coords?: Coords;
  readonly nodeId?: string;
  readonly taskId?: string;
  /** Folder that relative paths in params resolve against. @default os.tmpdir() */
  readonly specDir?: string;
  readonly runDir?: string;
  readonly spec?: Pipeline;
  readonly model?: ResolvedModel;
  readonly embedder?: ResolvedEmbedder;
  readonly seed?: number;
  readonly signal?: AbortSignal;
  /** Chat models by model id; `providers.chat(model)` of any other id throws a ConfigError. */
  readonly chat?: Readonly<Record<string, ChatProvider>>;
  /** The cache behind `providers.embedder` and `providers.renderCharts` (the engine's, read and written). @default none */
  readonly cache?: CacheStore | null;
  /** Embedders by embedder id that stand in for the real one an entry would create. */
  readonly embedders?: Readonly<Record<string, EmbeddingsInterface>>;
}

export interface ItemContextOptions<P> extends KindContextOptions<P> {
  readonly repeat?: number;
  readonly attempt?: number;
}

/** A TaskContext plus the events the kind logged, for assertions. */
export type TestTaskContext<P> = TaskContext<P> & { readonly events: KindLogEvent[] };
export type TestItemContext<P> = ItemContext<P> & { readonly events: KindLogEvent[] };

export function taskContext<P>(options: KindContextOptions<P>): TestTaskContext<P> {
  const nodeId = options.nodeId ?? 'node';
  const events: KindLogEvent[] = [];
  return {
    taskId: options.taskId ?? taskIdOf(nodeId, options.coords ?? {}),
    nodeId,
    params: options.params,
    coords: options.coords ?? {},
    model: options.model,
    embedder: options.embedder,
    spec: options.spec ?? { version: 1, name: 'test', nodes: { [nodeId]: { kind: 'test' } } },
    specDir: options.specDir ?? os.tmpdir(),
    runDir: options.runDir ?? os.tmpdir(),
    seed: options.seed ?? 42,
    signal: options.signal ?? new AbortController().signal,
    providers: testProviders({ chat: options.chat ?? {}, embedders: options.embedders ?? {}, specDir: options.specDir ?? os.tmpdir(), cache: options.cache ?? null }),
    log: (event) => {
      events.push(event);
    },
    events,
  };
}

export function itemContext<P>(options: ItemContextOptions<P>): TestItemContext<P> {
  return { ...taskContext(options), repeat: options.repeat ?? 0, attempt: options.attempt ?? 1 };
}

/** Collects an async iterable (a source's output) into an array. */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** A source's output as records or errors: what the engine makes of it when nothing is cached. */
export type SettledSourceItem = SourceRecord;

/**
 * Collects a source's output, computing and finishing each unit of source work as the engine does on
 * a cache miss (a failed compute or finish is that item's error, a ConfigError is thrown). Engine
 * caching is tested apart.
 */
export async function collectSource(items: AsyncIterable<SourceItem>): Promise<SettledSourceItem[]> {
  const out: SettledSourceItem[] = [];
  for await (const item of items) {
    if (!('compute' in item)) {
      out.push(item);
      continue;
    }
    try {
      out.push({ id: item.id, fields: item.finish(JSON.parse(JSON.stringify(await item.compute()))) });
    } catch (error) {
      if ((error as { code?: unknown }).code === 'VAFLOW_CONFIG') throw error; // the engine fails the task
      out.push({ id: item.id, error: error instanceof Error ? error : new Error(String(error)) });
    }
  }
  return out;
}

function taskIdOf(nodeId: string, coords: Coords): string {
  const parts = Object.entries(coords).map(([axis, value]) => `${axis}=${value}`);
  return parts.length > 0 ? `${nodeId}[${parts.join(',')}]` : nodeId;
}

/**
 * Providers as the engine wires them, minus the environment: chat models are the test's own; embedders
 * are real unless the test gives its own, behind the engine's embedding cache; charts are rendered
 * with vega behind its chart cache.
 */
function testProviders(options: { chat: Readonly<Record<string, ChatProvider>>; embedders: Readonly<Record<string, EmbeddingsInterface>>; specDir: string; cache: CacheStore | null }): ProviderServices {
  const sharedObjects = new Map<string, Promise<unknown>>();
  const shared = <T>(key: string, create: () => Promise<T>): Promise<T> => {
    let pending = sharedObjects.get(key);
    if (!pending) {
      pending = create();
      sharedObjects.set(key, pending);
    }
    return pending as Promise<T>;
  };
  return {
    async chat(model) {
      const provider = options.chat[model.id];
      if (!provider) throw new ConfigError(`no chat provider for model "${model.id}" in this test context`);
      return provider;
    },
    shared,
    fileDigest: (file) => hashFile(file),
    embedder(entry) {
      // As the engine does: derived vector files beside the cache database, else in a temp folder.
      const cacheDir = options.cache ? path.join(path.dirname(options.cache.path), 'vectors') : privateVectorDir();
      const own = options.embedders[entry.id];
      const load = () => own ? Promise.resolve(own) : shared(`embedder:${entry.id}`, async () => (await import('../../src/providers/embedders/registry.js')).createEmbedder(entry, { specDir: options.specDir, env: {}, cacheDir }));
      return cachedEmbedder(entry, { load, cache: options.cache, mode: { read: true, write: true } });
    },
    computeCached: cachedComputation({ cache: options.cache, mode: { read: true, write: true } }),
    renderCharts: cachedChartRenderer({ load: () => shared('renderer:charts', loadChartRenderer), version: chartRendererVersion, cache: options.cache, mode: { read: true, write: true } }),
  };
}
