import type { ModelReply } from './parse-answer.js';
import { splitReasoning } from './reasoning.js';

/** A description as read from a chat reply. */
export interface DescriptionReading {
  /** The description proper: no reasoning, code fence, JSON wrapper, "Description:" prefix or wrapping quotes. */
  readonly text: string;
  /** Reasoning blocks or the provider's reasoning field, kept for inspection. */
  readonly reasoning?: string;
}

/** The last "Answer:" / "Description:" line (markdown emphasis allowed); the description runs from it to the end. */
const MARKER = /(?:^|\n)[ \t>#-]*[*_]*(?:final answer|answer|final description|description)[*_]*[ \t]*:[*_]*[ \t]*/gi;
/**
 * A text that opens with a code fence: its content, up to the first closing fence that ends its line.
 * The language tag is the word before the line break (an inline ```text``` has none); lines after
 * the closing fence are a sign-off ("I hope this helps!"), not the description.
 */
const FENCE = /^```(?:[^\s`]*[ \t]*\n)?([\s\S]*?)\n?```(?:[ \t]*\n[\s\S]*)?$/;
const DESCRIPTION_KEYS = ['description', 'text', 'answer'];
/** Pairs of wrapping quotes and markdown emphasis, removed when they enclose the whole description. */
const WRAPPERS: readonly (readonly [string, string])[] = [['"', '"'], ['\u201c', '\u201d'], ["'", "'"], ['\u2018', '\u2019'], ['\u00ab', '\u00bb'], ['**', '**'], ['*', '*'], ['_', '_']];

/**
 * Reads a description from a reply with the cleaning every model family needs: reasoning set apart
 * (it never reaches the text), a JSON answer unwrapped, a code fence removed, the text after the
 * last "Answer:" or "Description:" marker kept (chain-of-thought prompts ask for one), wrapping
 * quotes and emphasis dropped. A refusal the provider reports apart from the text reads as ''.
 * The word limit applies afterwards, to the clean text.
 */
export function readDescription(reply: ModelReply): DescriptionReading {
  const { answer, reasoning } = splitReasoning(reply.text, reply.reasoning);
  const text = reply.refusal ? '' : clean(answer);
  return reasoning ? { text, reasoning } : { text };
}

function clean(answer: string): string {
  let text = unfence(answer.trim());
  text = jsonDescription(text) ?? text;
  const markers = [...text.matchAll(MARKER)];
  const last = markers.at(-1);
  if (last !== undefined) text = text.slice(last.index + last[0].length);
  text = unfence(text.trim());
  for (let changed = true; changed;) {
    changed = false;
    for (const [open, close] of WRAPPERS) {
      if (text.length >= open.length + close.length && text.startsWith(open) && text.endsWith(close) && !text.slice(open.length, -close.length).includes(close)) {
        text = text.slice(open.length, -close.length).trim();
        changed = true;
      }
    }
  }
  return text;
}

function unfence(text: string): string {
  return FENCE.exec(text)?.[1]?.trim() ?? text;
}

/** `{"description": "…"}` (or text / answer) as the whole answer: its string. */
function jsonDescription(text: string): string | undefined {
  if (!text.startsWith('{') || !text.endsWith('}')) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const fields = new Map(Object.entries(value).map(([k, v]) => [k.toLowerCase(), v]));
  for (const key of DESCRIPTION_KEYS) {
    const field = fields.get(key);
    if (typeof field === 'string') return field.trim();
  }
  return undefined;
}
