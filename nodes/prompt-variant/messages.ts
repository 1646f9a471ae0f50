import type { ChatMessage } from '../../src/types/records.js';
import type { LabelSet } from '../../src/labels/label-sets.js';
import type { Variant } from './params.generated.js';
import { formatVa } from './va-format.js';
import { CHAIN_OF_THOUGHT, DEFAULT_TEMPLATES, renderTemplate, type TemplateValues } from './template.js';

export type PromptTask = 'classify' | 'describe';

export const DEFAULT_MAX_LABELS = 3;
export const DEFAULT_WORD_LIMIT = 50;

export interface PromptSettings {
  readonly task: PromptTask;
  readonly labelSet: LabelSet;
  readonly variant: Variant;
  readonly maxLabels: number;
  readonly wordLimit: number;
}

/** The question template a variant uses: its own, else the task's default. */
export function questionTemplate(settings: Pick<PromptSettings, 'task' | 'labelSet' | 'variant'>): string {
  if (settings.variant.template !== undefined) return settings.variant.template;
  if (settings.task === 'describe') return DEFAULT_TEMPLATES.describe;
  return settings.labelSet.multiLabel ? DEFAULT_TEMPLATES.classifyMulti : DEFAULT_TEMPLATES.classifySingle;
}

/**
 * The chat for one item: [system], then each few-shot example as a user question and the assistant's
 * answer, then the real question. Every question is rendered the same way, so examples teach the
 * format; with chain-of-thought the instruction follows each question and example answers come as
 * "Answer: <answer>", the line the model is asked to end with.
 */
export function buildMessages(settings: PromptSettings, point: { readonly valence: number; readonly arousal: number }): ChatMessage[] {
  const messages: ChatMessage[] = [];
  if (settings.variant.system !== undefined) {
    messages.push({ role: 'system', content: renderTemplate(settings.variant.system, valuesFor(settings, point)) });
  }
  for (const example of settings.variant.fewShot ?? []) {
    messages.push({ role: 'user', content: question(settings, example) });
    messages.push({ role: 'assistant', content: settings.variant.chainOfThought ? `Answer: ${example.answer}` : example.answer });
  }
  messages.push({ role: 'user', content: question(settings, point) });
  return messages;
}

function question(settings: PromptSettings, point: { readonly valence: number; readonly arousal: number }): string {
  const text = renderTemplate(questionTemplate(settings), valuesFor(settings, point));
  if (!settings.variant.chainOfThought) return text;
  const instruction =
    settings.task === 'describe' ? CHAIN_OF_THOUGHT.describe : settings.labelSet.multiLabel ? CHAIN_OF_THOUGHT.classifyMulti : CHAIN_OF_THOUGHT.classify;
  return `${text}\n\n${instruction}`;
}

function valuesFor(settings: PromptSettings, point: { readonly valence: number; readonly arousal: number }): TemplateValues {
  const text = formatVa(point.valence, point.arousal, { format: settings.variant.format, precision: settings.variant.precision });
  return {
    va: text.va,
    valence: text.valence,
    arousal: text.arousal,
    labels: labelList(settings.labelSet),
    maxLabels: String(settings.maxLabels),
    wordLimit: String(settings.wordLimit),
  };
}

/** `{{labels}}` of a label set, written once per set rather than once per item. */
const labelLists = new WeakMap<LabelSet, string>();

function labelList(labelSet: LabelSet): string {
  let text = labelLists.get(labelSet);
  if (text === undefined) labelLists.set(labelSet, (text = labelSet.labels.join(', ')));
  return text;
}
