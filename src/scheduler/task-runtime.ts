import type { Pipeline } from '../types/generated/pipeline.js';
import type { NodeKind } from '../types/node-kind.js';
import type { CacheStore } from '../cache/store.js';
import type { RunFolder } from '../artifacts/run-folder.js';
import type { TaskGraph } from '../types/graph.js';
import type { RunLifeCycle } from '../types/run-events.js';
import type { EngineProviders } from './provider-services.js';
import type { ChatCalls } from './chat-calls.js';
import type { CallSlots } from './concurrency.js';
import type { RunFailure } from './run-failure.js';
import type { ItemDispatcher } from './executor.js';

/** How the cache is used: `--no-cache` reads and writes nothing, `--refresh` writes but never reads. */
export interface CacheMode {
  readonly read: boolean;
  readonly write: boolean;
}

/** The cache as `mode` lets a reader and a writer use it (null: that side is off). */
export function cacheSides(cache: CacheStore | null, mode: CacheMode): { readonly reading: CacheStore | null; readonly writing: CacheStore | null } {
  return { reading: mode.read ? cache : null, writing: mode.write ? cache : null };
}

/** Everything a task needs from the run, handed over by the orchestrator (no globals, no process.env). */
export interface TaskRuntime {
  readonly spec: Pipeline;
  readonly specDir: string;
  readonly graph: TaskGraph;
  /** Node id → kind. */
  readonly kinds: ReadonlyMap<string, NodeKind>;
  readonly run: RunFolder;
  readonly cache: CacheStore | null;
  readonly cacheMode: CacheMode;
  /** Caps on kind calls in flight: the run's, and each node's own. */
  readonly slots: CallSlots;
  readonly providers: EngineProviders;
  /** Chat calls cached by their rendered request and shared in flight (see chat-calls.ts). */
  readonly chatCalls: ChatCalls;
  readonly lifeCycle: RunLifeCycle;
  readonly seed: number;
  /** Aborted on SIGINT/SIGTERM or a storage failure: no new item, call or task starts. */
  readonly stopSignal: AbortSignal;
  /** Aborted after the grace period: cancel in-flight calls. */
  readonly abortSignal: AbortSignal;
  /** The run's first storage failure; recording one stops the run (stopSignal aborts). */
  readonly failure: RunFailure;
  /** Plan mode: count cache hits, call no model, write into a scratch folder. */
  readonly dryRun: boolean;
  /** With an executor (`--executor redis://…`): where cacheable item kinds run; absent, they run here. */
  readonly items?: ItemDispatcher;
  /** `--limit`: each source task stops after this many items. */
  readonly sourceLimit?: number;
}
