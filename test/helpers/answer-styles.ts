/**
 * The shapes in which real model families answer "which emotion?", for the loopback server
 * (test/helpers/openai-server.ts). Each style renders the label(s) a model means — and, where the
 * shape has room for it, a different label it considered and rejected — the way that family does,
 * whatever `response_format` asked for. End-to-end tests pick a style per model name.
 */
import { labelsByDistance, vaOfPrompt, type ChatCompletionBody, type ChatReply, type Responder } from './openai-server.js';

const title = (label: string) => label.charAt(0).toUpperCase() + label.slice(1);
const list = (labels: readonly string[]) => labels.map(title).join(', ');

/** label(s) meant, and a label the reasoning or prose mentions but does not choose. */
type Render = (labels: readonly string[], other: string) => string | ChatReply;

export const ANSWER_STYLES = {
  /** gpt-4o-mini with structured output: exactly the schema. */
  json: (labels) => (labels.length === 1 ? JSON.stringify({ label: labels[0] }) : JSON.stringify({ labels })),
  /** Llama 3.2 1B, Mistral through llama.cpp: the label as a plain word despite response_format. */
  'plain-word': (labels) => list(labels),
  /** gpt-4o-mini without structured output: capitalised, with a period. */
  'word-period': (labels) => `${list(labels)}.`,
  /** Llama 3.2 3B: a sentence of prose with the label in bold. */
  prose: (labels) => `Based on the valence and arousal values provided, I would classify the emotion as **${list(labels)}**.`,
  /** Gemma: the label first, then an explanation that names the rejected label. */
  'prose-second-label': (labels, other) =>
    `**${list(labels)}**\n\nHere's why:\n\n* **Valence:** the value points this way.\n* **Arousal:** ${title(other)} would need a different level of activation, so it fits less well.`,
  /** Qwen 2.5: JSON in a markdown code fence. */
  'fenced-json': (labels) => `\`\`\`json\n${labels.length === 1 ? JSON.stringify({ label: title(labels[0]!) }) : JSON.stringify({ labels: labels.map(title) })}\n\`\`\``,
  /** Mistral 7B: JSON with extra keys and a sentence around it. */
  'json-in-prose': (labels, other) =>
    `Here is my answer:\n${JSON.stringify({ reasoning: `It is not ${other}.`, [labels.length === 1 ? 'label' : 'labels']: labels.length === 1 ? labels[0] : labels, confidence: 0.8 })}\nI hope this helps!`,
  /** DeepSeek-R1 distills, Qwen3 through Ollama: a think block that weighs another label, then the answer. */
  think: (labels, other) => `<think>\nOkay, the valence and arousal could point to ${other}. Let me weigh it against ${list(labels)}.\n</think>\n\n${list(labels)}`,
  /** vLLM / DeepSeek API with a reasoning parser: the reasoning in reasoning_content, the answer in content. */
  'reasoning-content': (labels, other) => ({ content: list(labels), reasoning_content: `Maybe ${other}? No: the values fit ${list(labels)} better.` }),
  /** Ollama's newer reasoning field. */
  'reasoning-field': (labels, other) => ({ content: `${list(labels)}.`, reasoning: `Considering ${other} first.` }),
  /** A chain-of-thought answer with a final "Answer:" line, after naming another label. */
  'answer-line': (labels, other) => `Let me reason step by step. ${title(other)} is possible at first sight, but the values fit better elsewhere.\nAnswer: ${list(labels)}`,
  /** Llama 3.2's refusal. */
  refusal: () => "I can't provide a classification of emotions based on valence-arousal values. Is there anything else I can help you with?",
  /** An empty message. */
  empty: () => ({ content: '' }),
  /** An R1 distill cut at max_tokens inside its reasoning: finish_reason length, no answer. */
  length: (_labels, other) => ({ content: `<think>\nThe arousal suggests ${other}, but the valence`, finish_reason: 'length' }),
} satisfies Record<string, Render>;

export type AnswerStyle = keyof typeof ANSWER_STYLES;

/** What each style must read as: the meant label(s), or invalid with this reason. */
export const STYLE_OUTCOMES: Readonly<Record<AnswerStyle, 'label' | 'refusal' | 'empty' | 'truncated'>> = {
  json: 'label', 'plain-word': 'label', 'word-period': 'label', prose: 'label', 'prose-second-label': 'label', 'fenced-json': 'label',
  'json-in-prose': 'label', think: 'label', 'reasoning-content': 'label', 'reasoning-field': 'label', 'answer-line': 'label',
  refusal: 'refusal', empty: 'empty', length: 'truncated',
};

/**
 * A model that means the nearest label(s) to the prompt's VA point (`count` of them: 1 for basic7,
 * more for a multi-label set) and says so in `styleOf(request)`; the rejected label it mentions is
 * the farthest one, so reading it by mistake changes the prediction.
 */
export function styledResponder(options: {
  readonly points: Readonly<Record<string, readonly [number, number]>>;
  readonly styleOf: (request: ChatCompletionBody) => AnswerStyle;
  /** @default 1 */
  readonly count?: number;
}): Responder {
  const { points, styleOf, count = 1 } = options;
  return (request) => {
    const ranked = labelsByDistance(points, vaOfPrompt(request) ?? [0, 0]);
    return ANSWER_STYLES[styleOf(request)](ranked.slice(0, count), ranked.at(-1)!);
  };
}
