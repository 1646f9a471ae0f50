/**
 * vaflow's public API for scripts and local node kinds: `import type { ItemKind } from 'vaflow'`.
 * Re-exports only; each module documents itself. etc/vaflow.api.md records this surface as the
 * shipped declarations state it (scripts/api-report.js; a test compares it).
 */
export type {
  NodeKind, SourceKind, ItemKind, BatchKind, NodeKindBase, TaskContext, ItemContext, ItemResult, SourceItem, SourceRecord, SourceWork,
  SpecIssue, CheckContext, AxisSpec, JsonSchema, Awaitable, KindLogEvent, MissingInput, ReusableRecords,
} from './types/node-kind.js';
export type { FlowRecord, RecordType, Coords, ChatMessage, TokenUsage } from './types/records.js';
export type {
  ChatProvider, ChatRequest, ChatResponse, ProviderNotice, ProviderServices, ResolvedModel, ResolvedEmbedder, ResolvedSource, CachedEmbedder, EmbedResult, ChartSource, ChartRenders, CachedComputation, CachedAsyncComputation,
} from './types/providers.js';
export type { TextEmbedding, VaflowEmbeddings } from './types/embeddings.js';
export type {
  Pipeline, Model as ModelEntry, Embedder as EmbedderEntry, Node as NodeEntry, Defaults as PipelineDefaults, ProviderLimits, VaPoint, Identifier, EnvVarName,
} from './types/generated/pipeline.js';
export type { TaskStats, TaskStatus, RunStatus } from './types/task-stats.js';
export { RUN_EVENTS_VERSION, type RunLifeCycle, type RunInfo, type RunEndInfo, type ItemOutcome, type RetryInfo, type LogInfo, type RunEvent, type RunEventName } from './types/run-events.js';
export type { LimitSource, LimiterSnapshot, ProviderLine, ProviderRate } from './types/rate-limits.js';
export type { CacheStore, CacheEntryMeta, CacheStats } from './cache/store.js';
export type { EntryFilter } from './cache/entry-filter.js';
export {
  VaflowError, SpecError, UsageError, ConfigError, ItemError, ProviderError, TimeoutError, InterruptedError, RunIOError, formatIssue,
  type VaflowErrorCode, type PositionedIssue, type ProviderErrorOptions,
} from './errors.js';
export { loadPipeline, composedSchema, type LoadedPipeline, type LoadOptions } from './spec/index.js';
export type { LineCol } from './spec/positions.js';
export type { EnvironmentNotice } from './spec/environment.js';
export { createGraph, type GraphInput } from './graph/create-graph.js';
export type { TaskGraph, TaskNode, EngineSettings } from './types/graph.js';
export { runPipeline, type RunPipelineOptions, type RunResult } from './run/run-pipeline.js';
export { getLabelSet, resolveLabelSet, type LabelSet, type LabelSetRef } from './labels/label-sets.js';
export { readLabelAnswer, type LabelReading, type InvalidReason, type ModelReply, type ParsedAnswer, type ParseOptions } from './labels/parse-answer.js';
export { readDescription, type DescriptionReading } from './labels/read-description.js';
export { ANSWER_READER_VERSION } from './labels/reader-version.js';
