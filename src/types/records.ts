/**
 * Records are what nodes exchange: one JSON object per item and variant, streamed as JSONL.
 * A node's output record is its input record with the node's fields merged in, so downstream
 * nodes (and aggregate) still see the truth label, the VA values and the prompt.
 *
 * Field conventions per record type (a kind produces exactly one type):
 * - `va`:             valence, arousal (numbers in [-1, 1]); label?: string | string[] (truth);
 *                     reference?: string (human description); vaSource: string (table, facechannel,
 *                     expression-mixture, annotation); annotated?: { valence, arousal }; path?: string
 * - `prompt`:         messages: ChatMessage[] (+ every `va` field)
 * - `classification`: prediction: string | string[] | null; answer: string (raw text); valid: boolean;
 *                     invalidReason?: string; reasoning?: string; readerVersion?: string;
 *                     labelSet: string; baseline?: true; samples?: ClassificationSample[]; usage?
 * - `description`:    text: string (clean); answer?: string (raw text); reasoning?: string;
 *                     finishReason?: string; readerVersion?: string; baseline?: true; usage?
 * - `similarity`:     similarity: { raw, nullMean, nullStd, z, percentile }; oovRate?
 * - `metrics`:        produced by aggregate; free-form metric rows
 */
export type RecordType = 'va' | 'prompt' | 'classification' | 'description' | 'similarity' | 'metrics';

/** Variant coordinates: axis name → value, e.g. { variant: 'lexical', model: 'llama32' }. */
export type Coords = Readonly<Record<string, string>>;

export interface FlowRecord {
  /** Stable item id: the same face/term keeps its id through every node. */
  readonly id: string;
  /** Coordinates of every matrix axis this record went through. */
  readonly coords: Coords;
  /** Id of the node that produced this record. */
  readonly node: string;
  readonly [field: string]: unknown;
}

export interface ChatMessage {
  readonly role: 'system' | 'user' | 'assistant';
  readonly content: string;
}

export interface TokenUsage {
  readonly inputTokens: number;
  readonly outputTokens: number;
}
