import { ConfigError } from '../../src/errors.js';

/** The placeholders a template may use; anything else in {{ }} is a configuration error. */
export const PLACEHOLDERS = ['va', 'valence', 'arousal', 'labels', 'maxLabels', 'wordLimit'] as const;

export type Placeholder = (typeof PLACEHOLDERS)[number];
export type TemplateValues = Readonly<Record<Placeholder, string>>;

const PLACEHOLDER_PATTERN = /\{\{\s*([^{}]*?)\s*\}\}/g;

function isPlaceholder(name: string): name is Placeholder {
  return PLACEHOLDERS.some((known) => known === name);
}

/** Names inside {{ }} that are not placeholders, in order of first use. */
export function unknownPlaceholders(template: string): string[] {
  const unknown = new Set<string>();
  for (const match of template.matchAll(PLACEHOLDER_PATTERN)) {
    if (!isPlaceholder(match[1])) unknown.add(match[1]);
  }
  return [...unknown];
}

/** Each template's renderer, made once: the literal pieces between the placeholders and the placeholders' names. */
const compiled = new Map<string, (values: TemplateValues) => string>();
/** Templates kept compiled: a run has a few; a program rendering many distinct ones just compiles again. */
const MAX_COMPILED = 256;

/** Fills every placeholder; an unknown one throws (check() reports it before a run starts). */
export function renderTemplate(template: string, values: TemplateValues): string {
  let render = compiled.get(template);
  if (!render) {
    render = compileTemplate(template);
    if (compiled.size < MAX_COMPILED) compiled.set(template, render);
  }
  return render(values);
}

/** The template split once at its placeholders, so rendering an item is a few concatenations, not a regex replace. */
function compileTemplate(template: string): (values: TemplateValues) => string {
  const literals: string[] = [];
  const names: Placeholder[] = [];
  let last = 0;
  for (const match of template.matchAll(PLACEHOLDER_PATTERN)) {
    const name = match[1];
    if (!isPlaceholder(name)) {
      throw new ConfigError(`unknown placeholder ${match[0]} (known: ${PLACEHOLDERS.map((p) => `{{${p}}}`).join(', ')})`);
    }
    literals.push(template.slice(last, match.index));
    names.push(name);
    last = match.index + match[0].length;
  }
  literals.push(template.slice(last));
  return (values) => {
    let text = literals[0];
    for (let i = 0; i < names.length; i++) text += values[names[i]] + literals[i + 1];
    return text;
  };
}

/** The built-in questions, one per task (classify with one label or several, describe). */
export const DEFAULT_TEMPLATES = {
  classifySingle:
    'A facial expression analysis of a person gives {{va}}. Which emotion is this person most likely feeling? ' +
    'Choose exactly one label from this list: {{labels}}. Answer with the label only.',
  classifyMulti:
    'A facial expression analysis of a person gives {{va}}. Which emotions is this person most likely feeling? ' +
    'Choose between 1 and {{maxLabels}} labels from this list: {{labels}}. Answer with the labels only, separated by commas.',
  describe:
    'A facial expression analysis of a person gives {{va}}. Describe the facial expression and the emotion of this person ' +
    'in at most {{wordLimit}} words.',
} as const;

/** Appended to each question when chain-of-thought is on; the last line stays machine-readable. */
export const CHAIN_OF_THOUGHT = {
  classify: 'First reason briefly, step by step. Then give your final answer on a last line of the form "Answer: <label>".',
  classifyMulti: 'First reason briefly, step by step. Then give your final answer on a last line of the form "Answer: <label>, <label>".',
  describe: 'First reason briefly, step by step. Then give your final description on a last line of the form "Answer: <description>".',
} as const;
