import type { TaskContext } from '../../src/types/node-kind.js';
import type { FlowRecord } from '../../src/types/records.js';
import type { TextEmbedding } from '../../src/types/embeddings.js';
import type { EmbedScoreParams } from './params.generated.js';
import { ConfigError } from '../../src/errors.js';
import { cosine, dot } from '../../src/providers/embedders/vector-math.js';
import { compareText } from '../../src/stats/stable-order.js';
import { calibrate, itemSeed, nullPartners, seededRandom, uncalibrated, type Calibrated } from './calibration.js';

const DEFAULT_NULL_SAMPLES = 500;

/** What pass one keeps of a record: just enough to score it and to find it again in pass two. */
export interface Item {
  readonly id: string;
  readonly key: string;
  readonly text: string | null;
  readonly reference: string | null;
}

interface Scored {
  readonly similarity: Calibrated;
  readonly oovRate?: number | null;
  readonly referenceOovRate?: number | null;
}

function recordKey(record: FlowRecord): string {
  return `${record.id}\u0000${JSON.stringify(Object.entries(record.coords).sort())}`;
}

function stringField(record: FlowRecord, field: string): string | null {
  const value = record[field];
  return typeof value === 'string' ? value : null;
}

/** Scores every upstream record of the task: pass one collects texts, pass two writes records in input order. */
export async function* scoreRecords(inputs: () => AsyncIterable<FlowRecord>, ctx: TaskContext<EmbedScoreParams>): AsyncIterable<FlowRecord> {
  const textField = ctx.params.textField ?? 'text';
  const referenceField = ctx.params.referenceField ?? 'reference';
  const items: Item[] = [];
  for await (const record of inputs()) {
    items.push({ id: record.id, key: recordKey(record), text: stringField(record, textField), reference: stringField(record, referenceField) });
  }
  const entry = ctx.embedder;
  if (!entry) throw new ConfigError(`nodes.${ctx.nodeId}: embed-score runs per embedder; list them in \`with.embedders\``);
  // Through the engine's cache: a fully cached rerun never loads the embedder (word vectors, TF.js, onnxruntime).
  const { embeddings, embedded, cached } = await ctx.providers.embedder(entry).embed(
    items.flatMap((item) => [item.text, item.reference].filter((t): t is string => t !== null)),
    ctx.signal,
  );
  ctx.log({ level: 'info', message: `embed-score: ${embedded} texts embedded, ${cached} from the cache`, embedder: entry.id, embedded, cached });

  const scores = scoreItems(items, embeddings, { nullSamples: ctx.params.nullSamples ?? DEFAULT_NULL_SAMPLES, seed: ctx.seed, fields: { text: textField, reference: referenceField } });
  const byKey = new Map<string, Scored[]>();
  items.forEach((item, i) => byKey.set(item.key, [...(byKey.get(item.key) ?? []), scores[i]]));
  for await (const record of inputs()) {
    const scored = byKey.get(recordKey(record))?.shift();
    if (!scored) throw new Error(`embed-score: upstream record ${record.id} appeared on the second read only`);
    yield { ...record, embedder: entry.id, similarity: scored.similarity, ...oovFields(scored) };
  }
}

function oovFields(scored: Scored): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  if (scored.oovRate !== undefined) out.oovRate = scored.oovRate;
  if (scored.referenceOovRate !== undefined) out.referenceOovRate = scored.referenceOovRate;
  return out;
}

export interface ScoreItemsOptions {
  readonly nullSamples: number;
  readonly seed: number;
  /** Field names, for the reasons given when a text is missing. */
  readonly fields: { readonly text: string; readonly reference: string };
}

/**
 * Item positions in a stable order — record key (id, then coordinates), then reference and text —
 * so that every positional choice (which partners a sampled null draws, the order nulls are summed
 * in) depends on the records' content and the seed, never on the order they arrived in.
 */
function stableOrder(items: readonly Item[]): number[] {
  return items.map((_, i) => i).sort((i, j) =>
    compareText(items[i].key, items[j].key) || compareText(items[i].reference, items[j].reference) || compareText(items[i].text, items[j].text));
}

/** Raw cosine and calibration for each item (in the items' order), given every text's embedding. Pure: no I/O. */
export function scoreItems(items: readonly Item[], embeddings: ReadonlyMap<string, TextEmbedding>, options: ScoreItemsOptions): Scored[] {
  const order = stableOrder(items);
  const scored = scoreInOrder(order.map((i) => items[i]), embeddings, options);
  const out = new Array<Scored>(items.length);
  order.forEach((i, rank) => { out[i] = scored[rank]; });
  return out;
}

function scoreInOrder(items: readonly Item[], embeddings: ReadonlyMap<string, TextEmbedding>, options: ScoreItemsOptions): Scored[] {
  const vectorOf = (text: string | null) => (text === null ? null : (embeddings.get(text)?.vector ?? null));
  const squared = new Map<Float32Array, number>();
  const squaredNorm = (v: Float32Array) => {
    let s = squared.get(v);
    if (s === undefined) squared.set(v, (s = dot(v, v)));
    return s;
  };
  const similarity = (a: Float32Array, b: Float32Array) => cosine(a, b, { a: squaredNorm(a), b: squaredNorm(b) });
  const candidates = items.flatMap((item, j) => (vectorOf(item.reference) ? [j] : []));

  return items.map((item, i) => {
    const textInfo = item.text === null ? undefined : embeddings.get(item.text);
    const referenceInfo = item.reference === null ? undefined : embeddings.get(item.reference);
    const oov = {
      ...(textInfo?.oovRate !== undefined ? { oovRate: textInfo.oovRate } : {}),
      ...(referenceInfo?.oovRate !== undefined ? { referenceOovRate: referenceInfo.oovRate } : {}),
    };
    const problem =
      item.text === null ? `no "${options.fields.text}" text in the record`
      : item.reference === null ? `no "${options.fields.reference}" text in the record`
      : !textInfo?.vector ? `text: ${textInfo?.reason ?? 'not embedded'}`
      : !referenceInfo?.vector ? `reference: ${referenceInfo?.reason ?? 'not embedded'}`
      : null;
    if (problem !== null || !textInfo?.vector || !referenceInfo?.vector) return { similarity: uncalibrated(problem ?? 'not embedded'), ...oov };
    const raw = similarity(textInfo.vector, referenceInfo.vector);
    if (raw === null) return { similarity: uncalibrated('a zero vector has no direction'), ...oov };
    const partners = nullPartners({
      candidates,
      excluded: (j) => j === i || items[j].id === item.id || items[j].reference === item.reference,
      max: options.nullSamples,
      random: seededRandom(itemSeed(options.seed, item.id)),
    });
    const nulls: number[] = [];
    for (const j of partners) {
      const value = similarity(textInfo.vector, vectorOf(items[j].reference) as Float32Array);
      if (value !== null) nulls.push(value);
    }
    return { similarity: calibrate(raw, nulls), ...oov };
  });
}
