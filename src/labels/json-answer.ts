/** Keys that hold the answer in a JSON reply, in order of preference (compared case-insensitively). */
const ANSWER_KEYS = ['label', 'labels', 'emotion', 'emotions', 'answer', 'prediction', 'final_answer', 'category', 'categories', 'classification'];

/**
 * The answer strings of the last JSON value in a text that holds one: the whole text, a fenced
 * ```json block, or an object or array inside prose. Accepts `{ label }`, `{ labels }`, other
 * answer keys (extra keys are ignored), a bare string or an array of strings.
 * Undefined when no JSON value with an answer is found (the caller then reads the text as prose).
 */
export function jsonAnswer(text: string): string[] | undefined {
  let found: string[] | undefined;
  for (const candidate of jsonCandidates(text)) {
    let value: unknown;
    try {
      value = JSON.parse(candidate);
    } catch {
      continue;
    }
    found = answerValues(value) ?? found;
  }
  return found;
}

/** The answer strings of a parsed JSON value, or undefined when it holds none. */
function answerValues(value: unknown): string[] | undefined {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.length > 0 && value.every((v) => typeof v === 'string') ? value : undefined;
  if (value && typeof value === 'object') {
    const fields = new Map<string, unknown>(Object.entries(value).map(([k, v]) => [k.toLowerCase(), v]));
    for (const key of ANSWER_KEYS) {
      if (fields.has(key)) return answerValues(fields.get(key));
    }
  }
  return undefined;
}

/** Balanced top-level `{…}` / `[…]` spans of a text, in order (brackets inside JSON strings are skipped). */
function* jsonCandidates(text: string): Generator<string> {
  for (let start = text.search(/[[{]/); start >= 0 && start < text.length;) {
    const end = balancedEnd(text, start);
    if (end < 0) {
      start = nextOpening(text, start + 1);
      continue;
    }
    yield text.slice(start, end + 1);
    start = nextOpening(text, end + 1);
  }
}

function nextOpening(text: string, from: number): number {
  const at = text.slice(from).search(/[[{]/);
  return at < 0 ? -1 : from + at;
}

/** Index of the bracket closing the one at `start`, or -1 when the text ends first. */
function balancedEnd(text: string, start: number): number {
  const stack: string[] = [];
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === '{' || ch === '[') stack.push(ch === '{' ? '}' : ']');
    else if (ch === '}' || ch === ']') {
      if (stack.pop() !== ch) return -1;
      if (stack.length === 0) return i;
    }
  }
  return -1;
}
