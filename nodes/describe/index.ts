import type { ItemKind, ItemContext, ItemResult } from '../../src/types/node-kind.js';
import type { FlowRecord } from '../../src/types/records.js';
import type { DescribeParams } from './params.generated.js';
import { readJsonBeside } from '../../src/util/paths.js';
import { ConfigError } from '../../src/errors.js';
import { describeVa } from '../../src/baselines/circumplex.js';
import { messagesOf, vaOf } from '../../src/baselines/va-input.js';
import { readDescription } from '../../src/labels/read-description.js';
import { ANSWER_READER_VERSION } from '../../src/labels/reader-version.js';

const DEFAULT_WORD_LIMIT = 60;

/** Cuts text to `limit` words (whitespace-separated), keeping the original spacing of what is kept. */
export function limitWords(text: string, limit: number): { text: string; truncated: boolean } {
  const trimmed = text.trim();
  const words = [...trimmed.matchAll(/\S+/g)];
  if (words.length <= limit) return { text: trimmed, truncated: false };
  const last = words[limit - 1]!;
  return { text: trimmed.slice(0, (last.index ?? 0) + last[0].length), truncated: true };
}

async function describeItem(input: FlowRecord, ctx: ItemContext<DescribeParams>): Promise<ItemResult> {
  const { params, model } = ctx;
  if (!model) throw new ConfigError(`nodes.${ctx.nodeId}: describe runs per model; "models" must name at least one model`);
  const wordLimit = params.wordLimit ?? DEFAULT_WORD_LIMIT;
  if (model.provider === 'circumplex') {
    const description = describeVa(vaOf(input));
    const { text, truncated } = limitWords(description.text, wordLimit);
    return { fields: { text, truncated, baseline: true, quadrant: description.quadrant, intensity: description.intensity } };
  }
  const chat = await ctx.providers.chat(model);
  const response = await chat.call({ messages: messagesOf(input), signal: ctx.signal });
  for (const notice of response.notices ?? []) ctx.log({ ...notice, model: model.id });
  // Cleaned first (reasoning, fences, prefixes, quotes), so the word limit counts description words only.
  const reading = readDescription(response);
  const { text, truncated } = limitWords(reading.text, wordLimit);
  return {
    fields: {
      text,
      truncated,
      answer: response.text,
      ...(reading.reasoning ? { reasoning: reading.reasoning } : {}),
      finishReason: response.finishReason ?? null,
      readerVersion: ANSWER_READER_VERSION,
      ...(response.refusal ? { refusal: response.refusal } : {}),
      ...(response.usage ? { usage: response.usage } : {}),
    },
    ...(response.usage ? { usage: response.usage } : {}),
  };
}

/**
 * `describe`: a free-text description of the affect per prompt record and model. The reply is
 * cleaned (src/labels/read-description.ts: reasoning kept apart in `reasoning`, code fences, JSON
 * wrappers, "Description:"/"Answer:" prefixes and wrapping quotes removed), then cut to `wordLimit`
 * words into `text`, which is what gets embedded; `answer` keeps the reply as the model sent it. A
 * refusal the provider reports apart from the text leaves `text` empty and is kept in `refusal`.
 * The circumplex baseline writes a template description from the record's valence and arousal.
 * `version` stays '1': see nodes/classify/index.ts.
 */
const kind: ItemKind<DescribeParams> = {
  name: 'describe',
  version: '1',
  paramsSchema: readJsonBeside(import.meta.url, 'params.schema.json'),
  consumes: ['prompt', 'va'],
  produces: 'description',
  mode: 'item',
  item: describeItem,
};
export default kind;
