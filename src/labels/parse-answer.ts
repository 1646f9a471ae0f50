import type { LabelSet } from './label-sets.js';
import type { ChatResponse } from '../types/providers.js';
import { distinct, mentions, normalise, onlyLabels } from './lexicon.js';
import { jsonAnswer } from './json-answer.js';
import { splitReasoning } from './reasoning.js';

/**
 * Why an answer could not be mapped to the label set: no text, the model declined, it named no label
 * of the set, it named several for a single-label set, the answer was cut at the token limit before
 * it was complete, or the provider's content filter stopped it.
 */
export type InvalidReason = 'empty' | 'refusal' | 'no-label' | 'ambiguous' | 'truncated' | 'content-filter';

export interface ParsedAnswer {
  /** A label (single-label sets), labels in order of mention (multi-label), or null when invalid. */
  readonly prediction: string | string[] | null;
  readonly valid: boolean;
  readonly reason?: InvalidReason;
  /** Multi-label: more labels were named than maxLabels allowed; the first ones were kept. */
  readonly truncated?: boolean;
}

/** A reading of a model's reply: the parsed answer and the reasoning kept apart from it. */
export interface LabelReading extends ParsedAnswer {
  readonly reasoning?: string;
}

export interface ParseOptions {
  /** Multi-label bound. @default 3 */
  readonly maxLabels?: number;
  /**
   * The answer was cut at the token limit (finish_reason length): labels are read only from a
   * complete form (JSON, an "Answer:" line, or a text of nothing but labels). @default false
   */
  readonly cut?: boolean;
}

/** The parts of a chat reply the reader looks at. */
export type ModelReply = Pick<ChatResponse, 'text' | 'reasoning' | 'refusal' | 'finishReason'>;

/** What a model says it cannot do when it refuses. */
const DECLINED = "(?:help|assist|provide|determine|identify|infer|tell|say|classify|make|guess|comply|label|answer|fulfill|do that)";
/** Phrases of inability or apology that mark a refusal rather than an answer. */
const REFUSAL = new RegExp(
  `\\b(?:i(?:'m| am) sorry|i apologi[sz]e|i (?:can(?:not|'t)|won't|will not) ${DECLINED}|i(?:'m| am) (?:unable|not able) to ${DECLINED}`
  + "|as an ai\\b|i(?:'m| am) (?:just )?an ai\\b|as a language model)",
  'g',
);
/** A turn after a refusal phrase: "I can't be sure, but …" may still give an answer. */
const CONTRAST = /\b(?:but|however|that said|nevertheless|still)\b/;
/** "Answer: X" lines, as chain-of-thought prompts ask for, and LaTeX `\boxed{X}` (R1 distills). */
const MARKER = /(?:^|\n)[ \t>#-]*(?:\d+[.)][ \t]*)?(?:final answer|answer|emotions?|labels?|predictions?|classification|category|categories|final label|final emotion)[ \t]*[:=][ \t]*([^\n]*)|\\boxed\{([^}]*)\}/g;
/**
 * Where prose states its answer: "the (most likely) emotion is X", "I would classify this as X",
 * "I'd go with X". The label is read from the rest of that clause.
 */
const STATEMENT = /\b(?:(?:emotion|emotional state|label|answer|classification|category|feeling)(?:[ \t]+[a-z']+){0,5}?[ \t]+(?:is|was|would be|seems to be|appears to be)|(?:classify|categori[sz]e|label|identify|interpret)(?:[ \t]+[a-z']+){0,5}?[ \t]+as|i(?:'d| would| will)?[ \t]+(?:say|choose|pick|select|go with))\b([^.;!?\n]*)/g;
/** Words that make a sentence a hedge or a hypothetical rather than an answer ("if I had to choose" is an answer). */
const HEDGE = /\b(?:might|could|may|possibly|perhaps|maybe|either|unsure|uncertain)\b|\bif\b(?! i (?:had|have|must) to\b)/;

/**
 * Reads a chat reply as labels of the set: the reasoning (blocks in the content, or the provider's
 * reasoning field) is set apart first and never counts; a refusal the provider reports apart from
 * the text, an empty answer, an answer cut before it was complete and one stopped by the content
 * filter are invalid with that reason. Everything else goes through `parseLabelAnswer`.
 */
export function readLabelAnswer(reply: ModelReply, set: LabelSet, options: Omit<ParseOptions, 'cut'> = {}): LabelReading {
  const { answer, reasoning, unterminated } = splitReasoning(reply.text, reply.reasoning);
  const withReasoning = (parsed: ParsedAnswer): LabelReading => (reasoning ? { ...parsed, reasoning } : parsed);
  if (reply.refusal) return withReasoning(invalid('refusal'));
  const cut = unterminated || reply.finishReason === 'length';
  const parsed = parseLabelAnswer(answer, set, { ...options, cut });
  if (!parsed.valid && reply.finishReason === 'content_filter') return withReasoning(invalid('content-filter'));
  if (!parsed.valid && parsed.reason === 'empty' && cut) return withReasoning(invalid('truncated'));
  return withReasoning(parsed);
}

/**
 * Maps a model's free-text answer to labels of the set, tolerating case, punctuation, markdown,
 * surrounding prose, JSON (bare, fenced, with extra keys or prose around it), an "Answer: X" line
 * after reasoning, synonyms and simple negation ("not angry", "sadness rather than anger"). Never
 * guesses: an answer naming no label, several labels for a single-label set, or a refusal is
 * invalid with `prediction: null`. Reasoning blocks must be removed first (`readLabelAnswer` does).
 *
 * Order of precedence: the last JSON value with an answer; else the last "Answer:" line or
 * `\boxed{}` (a marker line left empty is answered by the paragraph below it); else a refusal
 * (unless the text turns after it, "… but it is most likely sadness"); else the whole text when it
 * names exactly one label (multi-label: every label it names); else the last of the prose's own
 * statements of its answer ("the emotion is X", "I'd say X") that names one label outside a hedged
 * or hypothetical sentence (a model that revises itself means its last word); else the first
 * sentence, or its first clause before "but"/"though", when it names exactly one label and does not
 * hedge.
 */
export function parseLabelAnswer(answer: string, set: LabelSet, options: ParseOptions = {}): ParsedAnswer {
  const json = jsonAnswer(answer);
  if (json !== undefined) return decide(json.flatMap((value) => mentions(normalise(value), set)), set, options);
  const text = normalise(answer);
  if (!text) return invalid('empty');

  const markers = [...text.matchAll(MARKER)];
  const last = markers.at(-1);
  if (last !== undefined) {
    const marked = last[1] ?? last[2] ?? '';
    const found = mentions(marked, set);
    if (found.length > 0) return decide(found, set, options);
    // "**Final Answer:**⏎Sadness" (R1 distills): the answer is the paragraph under a marker line left empty.
    if (!marked.trim()) {
      const below = text.slice(last.index + last[0].length).trimStart().split(/\n[ \t]*\n/)[0]!;
      const read = below ? parseLabelAnswer(below, set, options) : undefined;
      if (read?.valid) return read;
    }
  }
  const refusal = [...text.matchAll(REFUSAL)].at(-1);
  if (refusal !== undefined) return afterRefusal(text.slice(refusal.index + refusal[0].length), set, options);
  if (options.cut) return onlyLabels(text, set) ? decide(mentions(text, set), set, options) : invalid('truncated');
  const all = mentions(text, set);
  if (set.multiLabel) return decide(all, set, options);
  if (distinct(all).length === 1) return decide(all, set, options);
  if (all.length === 0) return invalid('no-label');

  const stated = [...text.matchAll(STATEMENT)]
    .filter((m) => !HEDGE.test(sentenceAt(text, m.index)))
    .map((m) => distinct(mentions(m[1] ?? '', set)))
    .filter((labels) => labels.length === 1);
  if (stated.length > 0) return decide(stated.at(-1)!, set, options);

  const firstSentence = text.split(/(?<=[.!?;\n])\s/)[0] ?? '';
  const firstClause = firstSentence.split(/\b(?:but|though|although|however|while|whereas)\b/)[0] ?? '';
  for (const piece of [firstSentence, firstClause]) {
    const found = distinct(mentions(piece, set));
    if (found.length === 1 && !HEDGE.test(piece)) return decide(found, set, options);
  }
  return invalid('ambiguous');
}

/** The sentence of `text` that holds position `at`. */
function sentenceAt(text: string, at: number): string {
  const start = Math.max(text.lastIndexOf('.', at), text.lastIndexOf('!', at), text.lastIndexOf('?', at), text.lastIndexOf('\n', at)) + 1;
  const end = text.slice(at).search(/[.!?\n]/);
  return text.slice(start, end < 0 ? undefined : at + end);
}

/** A refusal phrase, unless the text turns after it ("but …") to name an answer: one label, or labels for a multi-label set. */
function afterRefusal(rest: string, set: LabelSet, options: ParseOptions): ParsedAnswer {
  const turn = CONTRAST.exec(rest);
  const found = turn ? distinct(mentions(rest.slice(turn.index), set)) : [];
  return found.length === 1 || (set.multiLabel && found.length > 0) ? decide(found, set, options) : invalid('refusal');
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
