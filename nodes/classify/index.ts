import type { ItemKind, ItemContext, ItemResult, SpecIssue } from '../../src/types/node-kind.js';
import type { FlowRecord } from '../../src/types/records.js';
import type { ClassifyParams } from './params.generated.js';
import { readJsonBeside } from '../../src/util/paths.js';
import { ConfigError } from '../../src/errors.js';
import { labelSetIssues, resolveLabelSet, type LabelSet, type LabelSetRef } from '../../src/labels/label-sets.js';
import { parseLabelAnswer, parseStructuredAnswer, type ParsedAnswer } from '../../src/labels/parse-answer.js';
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

function fromParsed(parsed: ParsedAnswer): Record<string, unknown> {
  return {
    prediction: parsed.prediction,
    valid: parsed.valid,
    ...(parsed.reason ? { invalidReason: parsed.reason } : {}),
    ...(parsed.truncated ? { truncated: true } : {}),
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
  const options = { maxLabels: params.maxLabels ?? DEFAULT_MAX_LABELS };
  let parsed: ParsedAnswer;
  if (response.refusal) parsed = { prediction: null, valid: false, reason: 'refusal' };
  else parsed = (response.parsed !== undefined ? parseStructuredAnswer(response.parsed, set, options) : undefined) ?? parseLabelAnswer(response.text, set, options);
  return {
    fields: {
      ...fromParsed(parsed),
      answer: response.refusal ?? response.text,
      labelSet: set.name,
      finishReason: response.finishReason ?? null,
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
 * `classify`: one label (or a set of labels) per prompt record and model. Plain answers go through
 * the tolerant parser; answers naming no label stay verbatim in `answer` with `valid: false` and
 * `prediction: null`. The circumplex baseline answers from the record's valence and arousal.
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
