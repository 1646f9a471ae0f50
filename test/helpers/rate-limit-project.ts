import { writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The project the rate-limit tests and bench/rate-limits.ts run: `items` distinct prompts (nothing
 * shared in flight or served from the cache) through extract → prompt-variant → classify at
 * `concurrency: 64` against `url`, with `limits` (YAML for `defaults.limits.openai`) if given.
 * Writes items.csv and p.yaml into `dir`.
 */
export function writeRateLimitProject(dir: string, options: { readonly url: string; readonly items: number; readonly limits?: string }): void {
  const { url, items, limits } = options;
  const rows = ['id,valence,arousal,label', ...Array.from({ length: items }, (_, i) => `i${i},${(-1 + (2 * i) / items).toFixed(5)},${Math.sin(i).toFixed(5)},happiness`)];
  writeFileSync(path.join(dir, 'items.csv'), rows.join('\n') + '\n');
  writeFileSync(path.join(dir, 'p.yaml'), `version: 1
name: rate-limits
models:
  m: { provider: openai, model: m, baseURL: "${url}", temperature: 0, maxTokens: 8 }
defaults: { concurrency: 64, retries: 10${limits ? `, limits: { openai: ${limits} }` : ''} }
nodes:
  items: { kind: extract, with: { table: items.csv } }
  prompts: { kind: prompt-variant, needs: [items], with: { labels: basic7, variants: { n: { format: numeric } } } }
  classify: { kind: classify, needs: [prompts], with: { models: [m], labels: basic7 } }
`);
}
