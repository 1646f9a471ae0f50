import type { Coords, FlowRecord, RecordType, TokenUsage } from './records.js';
import type { Pipeline } from './generated/pipeline.js';
import type { CachedAsyncComputation, ProviderServices, ResolvedEmbedder, ResolvedModel } from './providers.js';
import type { EngineSettings } from './graph.js';

export type Awaitable<T> = T | Promise<T>;
export type JsonSchema = Record<string, unknown>;

/** A problem found in a pipeline, positioned by its path inside the file (e.g. ['nodes','x','with','path']). */
export interface SpecIssue {
  readonly path: readonly (string | number)[];
  readonly message: string;
  /** A warning is printed but does not fail `validate`; it should say how to silence it. @default error */
  readonly severity?: 'error' | 'warning';
}

export interface CheckContext {
  readonly spec: Pipeline;
  readonly nodeId: string;
  /** Folder of the pipeline file: relative paths in params resolve against it. */
  readonly specDir: string;
  /** The node's engine settings (defaults overridden by its `with`), e.g. to judge data against maxErrorRate; absent outside a pipeline. */
  readonly settings?: EngineSettings;
  /**
   * The run's cache in front of an expensive part of the check whose inputs `identity` names in full
   * (files by content, the params, the code's digest): a rerun on the same data judges it once.
   * Absent where checks run without a cache (`vaflow validate`, `--no-cache`): compute directly.
   */
  readonly computeCached?: CachedAsyncComputation;
}

/** A run-wide event a kind may log (lands in events.jsonl). */
export interface KindLogEvent {
  readonly level: 'debug' | 'info' | 'warn';
  readonly message: string;
  readonly [field: string]: unknown;
}

/** An upstream task a fan-in task runs without, because it failed or was skipped, with its counters. */
export interface MissingInput {
  readonly task: string;
  readonly status: 'failed' | 'skipped';
  readonly reason: string;
  /** Input items the task saw, records it wrote (not published) and items that failed. */
  readonly items: number;
  readonly records: number;
  readonly errors: number;
}

export interface TaskContext<P> {
  readonly taskId: string;
  readonly nodeId: string;
  /** The node's `with`, after defaults and this task's matrix values were applied. */
  readonly params: P;
  readonly coords: Coords;
  /** Set when the task has a `model` coordinate (from `with.models`). */
  readonly model?: ResolvedModel;
  /** Set when the task has an `embedder` coordinate (from `with.embedders`). */
  readonly embedder?: ResolvedEmbedder;
  readonly spec: Pipeline;
  readonly specDir: string;
  /** The run folder; fan-in kinds may write files into it (atomically). */
  readonly runDir: string;
  readonly seed: number;
  /** Aborted when the run is interrupted. */
  readonly signal: AbortSignal;
  readonly providers: ProviderServices;
  /**
   * Fan-in tasks only: the upstream tasks that failed or were skipped. The task runs on the others'
   * records and should say in its outputs what is missing. Absent or empty when every input completed.
   */
  readonly missingInputs?: readonly MissingInput[];
  log(event: KindLogEvent): void;
}

export interface ItemContext<P> extends TaskContext<P> {
  /** Sample index, 0 … repeats−1; part of the cache key. */
  readonly repeat: number;
  /** 1 on the first attempt. */
  readonly attempt: number;
  /** Aborted at the per-call timeout or on interruption. */
  readonly signal: AbortSignal;
}

/** What an item function returns: fields merged into the input record. */
export interface ItemResult {
  readonly fields: Readonly<Record<string, unknown>>;
  readonly usage?: TokenUsage;
}

/**
 * Work whose result the engine caches like an item's (an image through a network): `compute` runs only
 * on a cache miss and never in a plan; its JSON value is stored under a key made of the kind's name,
 * its logic version and `key`; `finish` turns the value, fresh or cached, into the record's fields.
 * The same key computed by two tasks of one run at once is computed once.
 */
export interface SourceWork<V = any> {
  readonly id: string;
  /** Everything that decides `compute`'s value: file contents by digest (never paths), model digests, parameters. */
  readonly key: unknown;
  /** The expensive part. Throw for this item's failure (never cached); a ConfigError fails the task. */
  compute(): Promise<V>;
  /** The record's fields from the value; runs on every hit, so keep it cheap. Throw for an item error. */
  finish(value: V): Readonly<Record<string, unknown>>;
}

/** A finished source item: a record's fields, or an item error that names the file and line at fault. */
export type SourceRecord =
  | { readonly id: string; readonly fields: Readonly<Record<string, unknown>> }
  | { readonly id: string; readonly error: Error };

/** A source kind yields finished items or cacheable work. */
export type SourceItem = SourceRecord | SourceWork;

/** Extra matrix axes a kind derives from its params (models/embedders axes are added by the engine). */
export interface AxisSpec {
  /** The param the values come from; it stays out of the cache key (the coordinate stands for it). */
  readonly param: string;
  readonly values: readonly string[];
}

export interface NodeKindBase<P> {
  /** The name used as `kind:` in YAML. */
  readonly name: string;
  /** Logic version: bump it when the kind's outputs change for the same inputs (it is in every cache key). */
  readonly version: string;
  /** JSON Schema of `with` (draft 2020-12); engine settings are added by the engine. */
  readonly paramsSchema: JsonSchema;
  /** Record types accepted from `needs`; empty for a source. */
  readonly consumes: readonly RecordType[];
  readonly produces: RecordType;
  /** Semantic checks beyond the schema (files exist, label sets known); paths relative to the node. */
  check?(params: P, ctx: CheckContext): Awaitable<readonly SpecIssue[]>;
  /** Extra axes: called once per node while the graph is built. */
  axes?(params: P): Readonly<Record<string, AxisSpec>>;
}

/**
 * A kind's promise that a task's records are a pure function of its code (the module `code` names and
 * what it imports by relative path), the engine's, the installed dependencies, the task's node,
 * coordinates and params, the seed, `--limit`, its upstream records and the files `files` returns, by
 * content. A rerun with all of those unchanged then copies the earlier run's records file (checked by
 * sha256) instead of computing it (src/scheduler/task-reuse.ts). Only source kinds and item kinds
 * with `cacheable: false` (no model call) take part.
 */
export interface ReusableRecords<P = any> {
  /** `import.meta.url` of the kind's module. */
  readonly code: string;
  /** The files this task's records are made from (absolute paths), or null when they depend on something else this time (images). */
  files(ctx: TaskContext<P>): Awaitable<readonly string[] | null>;
}

/** Reads items from outside (tables, images). No `needs`. */
export interface SourceKind<P = any> extends NodeKindBase<P> {
  readonly mode: 'source';
  readonly reusable?: ReusableRecords<P>;
  source(ctx: TaskContext<P>): AsyncIterable<SourceItem>;
}

/** One call per input record (× repeats); cached, retried and rate-limited by the engine. */
export interface ItemKind<P = any> extends NodeKindBase<P> {
  readonly mode: 'item';
  /** False for cheap pure functions that are not worth a cache entry. @default true */
  readonly cacheable?: boolean;
  /** With `cacheable: false`: a rerun on the same inputs copies the earlier records (ReusableRecords). */
  readonly reusable?: ReusableRecords<P>;
  /** How many samples per item (each with its own cache key). @default 1 */
  repeats?(params: P): number;
  item(input: FlowRecord, ctx: ItemContext<P>): Promise<ItemResult>;
  /** Combines the samples of one item when repeats > 1 (majority vote, frequencies). */
  summarize?(samples: readonly ItemResult[], input: FlowRecord, params: P): ItemResult;
}

/**
 * Sees every record of every upstream task at once (fan-in): aggregate, embed-score's calibration.
 * `fanIn: true` runs one task over all upstream variants; otherwise one task per upstream variant.
 */
export interface BatchKind<P = any> extends NodeKindBase<P> {
  readonly mode: 'batch';
  readonly fanIn: boolean;
  batch(inputs: () => AsyncIterable<FlowRecord>, ctx: TaskContext<P>): AsyncIterable<FlowRecord>;
}

export type NodeKind<P = any> = SourceKind<P> | ItemKind<P> | BatchKind<P>;
