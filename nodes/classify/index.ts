import type { ItemKind, ItemContext, ItemResult, SpecIssue } from '../../src/types/node-kind.js';
import type { FlowRecord } from '../../src/types/records.js';
import type { ClassifyParams } from './params.generated.js';
import { readJsonBeside } from '../../src/util/paths.js';
import { ConfigError } from '../../src/errors.js';
import { labelSetIssues, resolveLabelSet, type LabelSet, type LabelSetRef } from '../../src/labels/label-sets.js';
import { readLabelAnswer, type LabelReading } from '../../src/labels/parse-answer.js';
import { ANSWER_READER_VERSION } from '../../src/labels/reader-version.js';
import { nearestLabel, referencePoints } from '../../src/baselines/circumplex.js';
import { messagesOf, vaOf } from '../../src/baselines/va-input.js';
import { summarizeSamples } from './summarize.js';

const DEFAULT_LABELS = 'basic7';
const DEFAULT_MAX_LABELS = 3;

const labelSets = new Map<string, LabelSet>();

/** The task's label set, resolved once per distinct `labels` value. */
function labelSetOf(params: ClassifyParams): LabelSet {
  const ref: LabelSetRef = params.labels ?? DEFAULT_LABELS;
  const key = JSON.stringify(ref);
  let set = labelSets.get(key);
  if (!set) {
    set = resolveLabelSet(ref);
    if (!set) throw new ConfigError(`classify: unknown label set ${key} (built in: basic7, emotic26)`);
    labelSets.set(key, set);
  }
  return set;
}

/** The JSON Schema asked of the model: one label of the set, or a list of them for multi-label sets. */
export function answerSchema(set: LabelSet): { name: string; schema: Record<string, unknown> } {
  const label = { type: 'string', enum: [...set.labels] };
  const schema = set.multiLabel
    ? { type: 'object', properties: { labels: { type: 'array', items: label } }, required: ['labels'], additionalProperties: false }
    : { type: 'object', properties: { label }, required: ['label'], additionalProperties: false };
  return { name: set.multiLabel ? 'emotion_labels' : 'emotion_label', schema };
}

function fromReading(reading: LabelReading): Record<string, unknown> {
  return {
    prediction: reading.prediction,
    valid: reading.valid,
    ...(reading.reason ? { invalidReason: reading.reason } : {}),
    ...(reading.truncated ? { truncated: true } : {}),
  };
}

async function classifyItem(input: FlowRecord, ctx: ItemContext<ClassifyParams>): Promise<ItemResult> {
  const { params, model } = ctx;
  if (!model) throw new ConfigError(`nodes.${ctx.nodeId}: classify runs per model; "models" must name at least one model`);
  const set = labelSetOf(params);
  if (model.provider === 'circumplex') {
    const { label, distance } = nearestLabel(vaOf(input), referencePoints(set, model.points, model.id));
    return {
      fields: { prediction: set.multiLabel ? [label] : label, answer: label, valid: true, labelSet: set.name, baseline: true, distance },
    };
  }
  const chat = await ctx.providers.chat(model);
  const response = await chat.call({
    messages: messagesOf(input),
    jsonSchema: params.structured === false ? undefined : answerSchema(set),
    signal: ctx.signal,
  });
  for (const notice of response.notices ?? []) ctx.log({ ...notice, model: model.id });
  // Every reply is an answer: whatever its shape, the one tolerant reader decides what it says.
  const reading = readLabelAnswer(response, set, { maxLabels: params.maxLabels ?? DEFAULT_MAX_LABELS });
  return {
    fields: {
      ...fromReading(reading),
      answer: response.refusal ?? response.text,
      ...(reading.reasoning ? { reasoning: reading.reasoning } : {}),
      labelSet: set.name,
      finishReason: response.finishReason ?? null,
      readerVersion: ANSWER_READER_VERSION,
      ...(response.usage ? { usage: response.usage } : {}),
    },
    ...(response.usage ? { usage: response.usage } : {}),
  };
}

function checkParams(params: ClassifyParams, ctx: { spec: { models?: Record<string, { provider: string; points?: unknown }> } }): SpecIssue[] {
  const ref: LabelSetRef = params.labels ?? DEFAULT_LABELS;
  const issues: SpecIssue[] = labelSetIssues(ref).map((i) => ({ path: ['labels', ...i.path], message: i.message }));
  if (issues.length) return issues;
  const set = resolveLabelSet(ref);
  if (!set) return issues;
  for (const [index, id] of params.models.entries()) {
    const entry = ctx.spec.models?.[id];
    if (entry?.provider === 'circumplex' && Object.keys(set.points).length === 0 && !entry.points) {
      issues.push({ path: ['models', index], message: `model "${id}" is the circumplex baseline, but label set "${set.name}" has no reference points (${set.source})` });
    }
  }
  if (params.maxLabels !== undefined && !set.multiLabel) {
    issues.push({ path: ['maxLabels'], message: `label set "${set.name}" is single-label; maxLabels applies to multi-label sets only` });
  }
  return issues;
}

/**
 * `classify`: one label (or a set of labels) per prompt record and model. Structured output is
 * asked for (unless `structured: false`) but never required: every reply goes through the tolerant
 * reader (src/labels/parse-answer.ts), reasoning is kept apart in `reasoning`, and an answer naming
 * no label stays verbatim in `answer` with `valid: false`, `prediction: null` and an
 * `invalidReason`. Such answers are cached like any other and never retried.
 * The circumplex baseline answers from the record's valence and arousal.
 *
 * `version` stays '1' although reading improved: the cache key must not change for answers that
 * were already right (see src/labels/reader-version.ts and docs/answer-reading.md).
 */
const kind: ItemKind<ClassifyParams> = {
  name: 'classify',
  version: '1',
  paramsSchema: readJsonBeside(import.meta.url, 'params.schema.json'),
  consumes: ['prompt', 'va'],
  produces: 'classification',
  mode: 'item',
  check: checkParams,
  repeats: (params) => params.repeats ?? 1,
  item: classifyItem,
  summarize: (samples, _input, params) => summarizeSamples(samples, labelSetOf(params).multiLabel),
};
export default kind;
