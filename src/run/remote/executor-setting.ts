import { UsageError } from '../../errors.js';
import { registerSecrets } from '../../util/redact.js';

/** Where a run's item work goes: this process, or the workers that take jobs from a Redis. */
export type ExecutorSetting = { readonly kind: 'local' } | { readonly kind: 'redis'; readonly url: string; readonly shown: string };

export const LOCAL_EXECUTOR: ExecutorSetting = { kind: 'local' };

/**
 * The executor of a run: `--executor`, else VAFLOW_EXECUTOR, else the pipeline's `defaults.executor`,
 * else in-process. A URL's password is registered as a secret at once (so no message can echo it)
 * and `shown` is the URL without it, for the terminal, the manifest and the events file.
 */
export function resolveExecutor(options: { flag?: string; env: Readonly<Record<string, string | undefined>>; pipeline?: string }): ExecutorSetting {
  const [value, from] = options.flag !== undefined
    ? [options.flag, '--executor']
    : options.env.VAFLOW_EXECUTOR
      ? [options.env.VAFLOW_EXECUTOR, 'VAFLOW_EXECUTOR']
      : [options.pipeline, 'defaults.executor'];
  if (value === undefined || value === '' || value === 'local') return LOCAL_EXECUTOR;
  return parseRedisUrl(value, from);
}

/** A `redis://` or `rediss://` URL, checked; `from` names where it came from, for the error. */
export function parseRedisUrl(value: string, from: string): ExecutorSetting & { kind: 'redis' } {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    // Unparsed, the part before an `@` may be a password in any shape: none of it is echoed.
    const shown = value.includes('@') ? `***@${value.slice(value.lastIndexOf('@') + 1)}` : value;
    throw new UsageError(`${from}: expected "local" or a redis://host:port or rediss://host:port URL, got "${shown}"`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new UsageError(`${from}: expected "local" or a redis:// or rediss:// URL, got a ${url.protocol}// URL`);
  }
  if (!url.hostname) throw new UsageError(`${from}: the Redis URL names no host`);
  const db = url.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d+$/.test(db)) throw new UsageError(`${from}: the path of a Redis URL is a database number (/0 … /15), got "/${db}"`);
  if (url.password) registerSecrets([decodeURIComponent(url.password)]);
  return { kind: 'redis', url: value, shown: showRedisUrl(value) };
}

/** The URL with its password replaced by `***`: safe to print. */
export function showRedisUrl(value: string): string {
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/@\s]*?):[^/@\s]*@/i, '$1:***@');
}
