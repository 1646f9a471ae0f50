/**
 * vaflow's public API for scripts and local node kinds: `import type { ItemKind } from 'vaflow'`.
 * Re-exports only; each module documents itself.
 */
export type { NodeKind, SourceKind, ItemKind, BatchKind, TaskContext, ItemContext, ItemResult, SourceItem, SourceWork, SpecIssue, CheckContext, AxisSpec, JsonSchema } from './types/node-kind.js';
export type { FlowRecord, RecordType, Coords, ChatMessage, TokenUsage } from './types/records.js';
export type { ChatProvider, ChatRequest, ChatResponse, ProviderNotice, ProviderServices, ResolvedModel, ResolvedEmbedder } from './types/providers.js';
export type { Pipeline } from './types/generated/pipeline.js';
export { VaflowError, SpecError, UsageError, ConfigError, ItemError, ProviderError, TimeoutError, InterruptedError, formatIssue } from './errors.js';
export { loadPipeline, composedSchema, type LoadedPipeline } from './spec/index.js';
export { createGraph } from './graph/create-graph.js';
export type { TaskGraph, TaskNode } from './graph/types.js';
export { runPipeline, type RunPipelineOptions, type RunResult } from './scheduler/run-pipeline.js';
export { getLabelSet, resolveLabelSet, type LabelSet, type LabelSetRef } from './labels/label-sets.js';
export { readLabelAnswer, type LabelReading, type InvalidReason, type ModelReply } from './labels/parse-answer.js';
export { readDescription, type DescriptionReading } from './labels/read-description.js';
export { ANSWER_READER_VERSION } from './labels/reader-version.js';
