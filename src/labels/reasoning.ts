/**
 * Reasoning kept apart from the answer. Reasoning models send their thoughts in one of two places:
 *
 * - inside the message content, between tags: `<think>…</think>` (DeepSeek-R1 and its distills,
 *   Qwen3 and QwQ through Ollama, llama.cpp or vLLM without a reasoning parser), `<thinking>`,
 *   `<reasoning>`, `<thought>`, Magistral's `[THINK]…[/THINK]`. Some chat templates put the opening
 *   tag in the prompt, so the output starts mid-thought and only the closing tag appears;
 * - in a field of its own beside the content: `reasoning_content` (DeepSeek's API, vLLM, llama.cpp
 *   server, LM Studio) or `reasoning` (Ollama, OpenRouter). Providers pass it on as `reasoning`.
 *
 * The answer is what is left of the content; a label or description is read from it only.
 */
export interface SplitReply {
  /** The content without its reasoning blocks, trimmed. */
  readonly answer: string;
  /** The reasoning from the separate field and from the blocks, in that order; undefined when there is none. */
  readonly reasoning?: string;
  /** The content ends inside a reasoning block (cut at the token limit): it holds no answer. */
  readonly unterminated: boolean;
}

const TAG_NAMES = 'think|thinking|reasoning|thought';
/** An opening or closing reasoning tag, in angle or square brackets (`[THINK]` is Magistral's). */
const TAG = new RegExp(`<(/?)(${TAG_NAMES})>|\\[(/?)(THINK)\\]`, 'gi');

export function splitReasoning(content: string, reasoningField?: string): SplitReply {
  const thoughts: string[] = [];
  if (reasoningField?.trim()) thoughts.push(reasoningField.trim());
  const kept: string[] = [];
  let depth = 0;
  let from = 0;
  let sawTag = false;
  for (const match of content.matchAll(TAG)) {
    const closing = (match[1] ?? match[3]) === '/';
    const piece = content.slice(from, match.index);
    from = match.index + match[0].length;
    if (!closing) {
      if (depth === 0) kept.push(piece);
      else thoughts.push(piece);
      depth++;
    } else if (depth > 0) {
      thoughts.push(piece);
      depth--;
    } else if (!sawTag) {
      // A closing tag with no opening one: the template opened the block, so all before it is reasoning.
      thoughts.push(...kept.splice(0), piece);
    } else {
      kept.push(piece);
    }
    sawTag = true;
  }
  const rest = content.slice(from);
  if (depth > 0) thoughts.push(rest);
  else kept.push(rest);
  const reasoning = thoughts.map((t) => t.trim()).filter(Boolean).join('\n\n');
  return { answer: kept.join('').trim(), ...(reasoning ? { reasoning } : {}), unterminated: depth > 0 };
}
