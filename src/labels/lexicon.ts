import type { LabelSet } from './label-sets.js';

/** Words that negate a label named within the next three words of the same clause. */
const NEGATORS = new Set(['not', 'no', 'never', 'neither', 'nor', 'without', 'hardly', 'lacks', 'lacking', 'absence']);
const NEGATING_PAIRS = ['rather than', 'instead of', 'opposed to', 'other than'];
/** Nouns after which a label word describes a dimension, not an emotion ("neutral arousal", "neutral valence"). */
const DESCRIBED = new Set(['valence', 'arousal', 'activation', 'level', 'levels', 'range', 'region', 'zone', 'point', 'territory', 'value', 'values']);
/** Clause boundaries for negation: punctuation and contrastive conjunctions. */
const CLAUSE = /[.,;:!?()\n]|\bbut\b|\bhowever\b|\bwhile\b/;

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

/** Lower-case words of a text (letters, inner apostrophes and hyphens). */
export function tokens(text: string): string[] {
  return text.toLowerCase().match(/[a-z][a-z'-]*[a-z]|[a-z]/g) ?? [];
}

/**
 * Lower case, straight apostrophes, no markdown emphasis or code fences. A fence's language tag is
 * the word before the line break (```json⏎); an inline fence ("```Sadness```") has none, so its
 * first word is the answer, not a tag.
 */
export function normalise(text: string): string {
  return text.replace(/[\u2018\u2019\u02bc]/g, "'").replace(/```(?:[a-z]*(?=[ \t]*\n))?|[*`_~]/gi, ' ').toLowerCase().trim();
}

export function distinct(values: readonly string[]): string[] {
  return [...new Set(values)];
}

/**
 * Labels named in the text, in order, skipping negated mentions ("not angry", "sadness rather than
 * anger") and label words used as adjectives of a dimension ("neutral arousal").
 */
export function mentions(text: string, set: LabelSet): string[] {
  const lexicon = lexiconOf(set);
  const found: string[] = [];
  for (const clause of text.split(CLAUSE)) {
    const words = tokens(clause.replace(/\//g, ' '));
    for (let i = 0; i < words.length; i++) {
      for (let n = Math.min(lexicon.longest, words.length - i); n >= 1; n--) {
        const label = lexicon.phrases.get(words.slice(i, i + n).join(' '));
        if (label === undefined) continue;
        if (!negated(words, i) && !DESCRIBED.has(words[i + n] ?? '')) found.push(label);
        i += n - 1;
        break;
      }
    }
  }
  return found;
}

/**
 * Whether the text is nothing but labels (and list glue: "and", commas, numbering, bullets), e.g.
 * "Happiness." or "1. Peace\n2. Esteem". A truncated answer is read only in such a complete form.
 */
export function onlyLabels(text: string, set: LabelSet): boolean {
  const lexicon = lexiconOf(set);
  const words = tokens(text.replace(/\//g, ' ')).filter((w) => w !== 'and');
  if (words.length === 0) return false;
  for (let i = 0; i < words.length;) {
    let n = Math.min(lexicon.longest, words.length - i);
    while (n >= 1 && !lexicon.phrases.has(words.slice(i, i + n).join(' '))) n--;
    if (n === 0) return false;
    i += n;
  }
  return true;
}

function negated(words: readonly string[], at: number): boolean {
  const before = words.slice(Math.max(0, at - 3), at);
  if (before.some((w) => NEGATORS.has(w) || w.endsWith("n't"))) return true;
  return NEGATING_PAIRS.includes(words.slice(Math.max(0, at - 2), at).join(' '));
}
