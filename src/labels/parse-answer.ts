import type { LabelSet } from './label-sets.js';

/** Why an answer could not be mapped to the label set. */
export type InvalidReason = 'empty' | 'refusal' | 'no-label' | 'ambiguous';

export interface ParsedAnswer {
  /** A label (single-label sets), labels in order of mention (multi-label), or null when invalid. */
  readonly prediction: string | string[] | null;
  readonly valid: boolean;
  readonly reason?: InvalidReason;
  /** Multi-label: more labels were named than maxLabels allowed; the first ones were kept. */
  readonly truncated?: boolean;
}

export interface ParseOptions {
  /** Multi-label bound. @default 3 */
  readonly maxLabels?: number;
}

const NEGATORS = new Set(['not', 'no', 'never', 'neither', 'nor', 'without', 'hardly', 'lacks', 'lacking', 'absence']);
const NEGATING_PAIRS = ['rather than', 'instead of', 'opposed to', 'other than'];
/** Phrases of inability or apology that mark a refusal rather than an answer. */
const REFUSAL = /\b(?:i(?:'m| am) sorry|i apologi[sz]e|i (?:can(?:not|'t)|am unable to|'m unable to|am not able to|'m not able to|won't|will not) (?:help|assist|provide|determine|identify|infer|tell|say|classify|make|guess|comply|label|answer)|as an ai\b)/;
/** "Answer: X" lines, as chain-of-thought prompts ask for; the last one wins. */
const ANSWER_LINE = /(?:^|\n)[ \t>*#_-]*(?:final answer|answer|emotions?|labels?|predictions?|classification|category|categories)[ \t*_]*[:=][ \t]*([^\n]+)/g;

/**
 * Maps a model's free-text answer to labels of the set, tolerating case, punctuation, markdown,
 * surrounding prose, JSON, an "Answer: X" line after reasoning, synonyms and simple negation
 * ("not angry", "sadness rather than anger"). Never guesses: an answer naming no label, several
 * labels for a single-label set, or a refusal is invalid with `prediction: null`.
 *
 * Single-label order of precedence: the last "Answer:" line; else the whole text when it names
 * exactly one label; else its first sentence when that names exactly one (models often answer,
 * then explain and mention alternatives).
 */
export function parseLabelAnswer(answer: string, set: LabelSet, options: ParseOptions = {}): ParsedAnswer {
  const text = normalise(answer);
  if (!text) return invalid('empty');
  const lexicon = lexiconOf(set);
  const json = parseJsonAnswer(text);
  if (json !== undefined) return decide(json.flatMap((value) => mentions(normalise(value), lexicon)), set, options);

  const answerLines = [...text.matchAll(ANSWER_LINE)];
  const last = answerLines.at(-1)?.[1];
  if (last !== undefined) {
    const found = mentions(last, lexicon);
    if (found.length > 0) return decide(found, set, options);
  }
  if (REFUSAL.test(text)) return invalid('refusal');
  const all = mentions(text, lexicon);
  if (set.multiLabel) return decide(all, set, options);
  if (distinct(all).length === 1) return decide(all, set, options);
  const firstSentence = text.split(/(?<=[.!?;\n])\s/)[0] ?? '';
  const first = mentions(firstSentence, lexicon);
  if (all.length > 0 && distinct(first).length === 1) return decide(first, set, options);
  return invalid(all.length === 0 ? 'no-label' : 'ambiguous');
}

/** Maps a structured answer (`{ label }`, `{ labels }`, or a bare string / array) through the same lexicon. */
export function parseStructuredAnswer(parsed: unknown, set: LabelSet, options: ParseOptions = {}): ParsedAnswer | undefined {
  const values = answerValues(parsed);
  if (values === undefined) return undefined;
  const lexicon = lexiconOf(set);
  return decide(values.flatMap((value) => mentions(normalise(value), lexicon)), set, options);
}

function decide(found: readonly string[], set: LabelSet, options: ParseOptions): ParsedAnswer {
  const labels = distinct(found);
  if (labels.length === 0) return invalid('no-label');
  if (!set.multiLabel) return labels.length === 1 ? { prediction: labels[0]!, valid: true } : invalid('ambiguous');
  const max = options.maxLabels ?? 3;
  return labels.length > max ? { prediction: labels.slice(0, max), valid: true, truncated: true } : { prediction: labels, valid: true };
}

function invalid(reason: InvalidReason): ParsedAnswer {
  return { prediction: null, valid: false, reason };
}

function distinct(values: readonly string[]): string[] {
  return [...new Set(values)];
}

/** Lower case, straight apostrophes, no markdown emphasis or code fences. */
function normalise(text: string): string {
  return text.replace(/[\u2018\u2019\u02bc]/g, "'").replace(/```[a-z]*|[*`_~]/gi, ' ').toLowerCase().trim();
}

interface Lexicon {
  /** Phrase (tokens joined by one space) → label. */
  readonly phrases: ReadonlyMap<string, string>;
  readonly longest: number;
}

const lexicons = new WeakMap<LabelSet, Lexicon>();

function lexiconOf(set: LabelSet): Lexicon {
  let lexicon = lexicons.get(set);
  if (!lexicon) {
    const phrases = new Map<string, string>();
    for (const [word, label] of Object.entries(set.synonyms)) phrases.set(tokens(word).join(' '), label);
    for (const label of set.labels) {
      phrases.set(tokens(label).join(' '), label);
      // "doubt/confusion": each part names the label too, unless a synonym says otherwise.
      for (const part of label.toLowerCase().split('/')) if (!phrases.has(tokens(part).join(' '))) phrases.set(tokens(part).join(' '), label);
    }
    phrases.delete('');
    const longest = Math.max(1, ...[...phrases.keys()].map((p) => p.split(' ').length));
    lexicon = { phrases, longest };
    lexicons.set(set, lexicon);
  }
  return lexicon;
}

function tokens(text: string): string[] {
  return text.toLowerCase().match(/[a-z][a-z'-]*[a-z]|[a-z]/g) ?? [];
}

/** Labels named in the text, in order, skipping negated mentions. Negation looks back at most 3 words within a clause. */
function mentions(text: string, lexicon: Lexicon): string[] {
  const found: string[] = [];
  for (const clause of text.split(/[.,;:!?()\n]|\bbut\b|\bhowever\b|\bwhile\b/)) {
    const words = tokens(clause.replace(/\//g, ' '));
    for (let i = 0; i < words.length; i++) {
      for (let n = Math.min(lexicon.longest, words.length - i); n >= 1; n--) {
        const label = lexicon.phrases.get(words.slice(i, i + n).join(' '));
        if (label === undefined) continue;
        if (!negated(words, i)) found.push(label);
        i += n - 1;
        break;
      }
    }
  }
  return found;
}

function negated(words: readonly string[], at: number): boolean {
  const before = words.slice(Math.max(0, at - 3), at);
  if (before.some((w) => NEGATORS.has(w) || w.endsWith("n't"))) return true;
  const pair = words.slice(Math.max(0, at - 2), at).join(' ');
  return NEGATING_PAIRS.some((p) => pair.endsWith(p));
}

function parseJsonAnswer(text: string): string[] | undefined {
  const start = text.search(/[[{]/);
  if (start < 0) return undefined;
  const end = Math.max(text.lastIndexOf('}'), text.lastIndexOf(']'));
  if (end <= start) return undefined;
  try {
    return answerValues(JSON.parse(text.slice(start, end + 1)));
  } catch {
    return undefined;
  }
}

function answerValues(value: unknown): string[] | undefined {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.every((v) => typeof v === 'string') ? value : undefined;
  if (value && typeof value === 'object') {
    const fields = new Map<string, unknown>(Object.entries(value));
    for (const key of ['label', 'labels', 'emotion', 'emotions', 'answer', 'prediction']) {
      if (fields.has(key)) return answerValues(fields.get(key));
    }
  }
  return undefined;
}
