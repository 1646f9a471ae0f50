/**
 * Redaction of secrets from every message vaflow writes or prints (errors files, events.jsonl, the
 * manifest, the terminal). Two kinds of secret are removed:
 * - values the run knows: the environment variables a pipeline names for keys (`apiKeyEnv`, and
 *   OPENAI_API_KEY where a provider reads it by default) and variables whose names say they hold one
 *   (`*_KEY`, `*_TOKEN`, `*_SECRET`, `*_PASSWORD`), registered when the pipeline is loaded;
 * - shapes: `Bearer …` / `Basic …` credentials, well-known key formats (`sk-…`, `hf_…`, `ghp_…`,
 *   `AIza…`, `xoxb-…`) and the password of a URL (`https://user:…@host`).
 * Each is replaced by `[REDACTED]`. Known values shorter than MIN_SECRET_LENGTH are not registered
 * (a placeholder such as `x` for a local server would otherwise blank every x in every message).
 */

export const REDACTED = '[REDACTED]';

/** Known secret values shorter than this are not redacted by value (shapes still are). */
export const MIN_SECRET_LENGTH = 8;

/**
 * Well-known key shapes: OpenAI/Anthropic `sk-`, Hugging Face `hf_`, GitHub `ghp_`/`gho_`/`github_pat_`,
 * Google `AIza`, Slack `xox?-`; at least 16 key characters after the prefix, not inside a longer word.
 */
export const KEY_SHAPE = /(?<![A-Za-z0-9_-])(?:sk-|sk_|hf_|ghp_|gho_|github_pat_|AIza|xox[abpr]-)[A-Za-z0-9_-]{16,}/g;

/** An HTTP credential as sent in an Authorization header. */
const AUTH_SCHEME = /\b(Bearer|Basic|Token)(\s+)[A-Za-z0-9._~+/=-]{8,}/gi;

/** `scheme://user:password@`: the password part. */
export const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s/:@'"<>]*):([^\s/@'"<>]+)@/gi;

const SECRET_NAME_PARTS = new Set(['KEY', 'APIKEY', 'TOKEN', 'SECRET', 'PASSWORD', 'PASSWD', 'PAT']);

/** Environment variable names that say they hold a secret: OPENAI_API_KEY, HF_TOKEN, DB_PASSWORD. */
export function isSecretName(name: string): boolean {
  const last = name.toUpperCase().split('_').at(-1) ?? '';
  return SECRET_NAME_PARTS.has(last);
}

/** Longest first, so a value that contains another is replaced whole. */
let known: string[] = [];

/** Adds values to redact from every later message (process-wide: a value once registered stays secret). */
export function registerSecrets(values: Iterable<string | undefined>): void {
  const next = new Set(known);
  for (const value of values) if (value !== undefined && value.trim().length >= MIN_SECRET_LENGTH) next.add(value.trim());
  if (next.size === known.length) return;
  known = [...next].sort((a, b) => b.length - a.length);
}

/** The text with every known secret value and secret shape replaced by [REDACTED]. */
export function redact(text: string): string {
  let out = text;
  for (const value of known) if (out.includes(value)) out = out.split(value).join(REDACTED);
  return out
    .replace(AUTH_SCHEME, (_match, scheme: string, space: string) => `${scheme}${space}${REDACTED}`)
    .replace(KEY_SHAPE, REDACTED)
    .replace(URL_PASSWORD, (_match, before: string) => `${before}:${REDACTED}@`);
}

/** A copy of a JSON-like value with every string redacted (keys included); other values as they are. */
export function redactJson<T>(value: T): T {
  return redactValue(value) as T;
}

function redactValue(value: unknown): unknown {
  if (typeof value === 'string') return redact(value);
  if (Array.isArray(value)) return value.map(redactValue);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) out[redact(key)] = redactValue(inner);
  return out;
}
