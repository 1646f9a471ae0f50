import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readJsonl } from '../../../src/artifacts/jsonl.js';
import { listRunIds } from '../../../src/artifacts/run-folder.js';
import type { FlowRecord } from '../../../src/types/records.js';
import { startOpenAIServer, type OpenAIServer, type OpenAIServerOptions } from '../../helpers/openai-server.js';
import { startRedisServer, type RedisServer } from '../../helpers/redis-server.js';
import { startWorkers, type Workers } from '../../helpers/vaflow-workers.js';
import { withTempDir } from '../../helpers/temp-dir.js';

/**
 * A pipeline for the Redis executor's fault tests: `rows` items with distinct valence–arousal values
 * (so every item sends its own prompt), one numeric prompt each, classified by one model `m` on the
 * loopback server at `url`. `limits` are the openai provider's `defaults.limits`.
 */
export function writeClassifyProject(dir: string, options: { readonly rows: number; readonly url: string; readonly limits?: string; readonly defaults?: string; readonly apiKeyEnv?: string }): string {
  const lines = ['id,valence,arousal,label'];
  for (let i = 0; i < options.rows; i++) lines.push(`item-${i},${(i / options.rows - 0.5).toFixed(4)},${((i * 7) % options.rows / options.rows - 0.5).toFixed(4)},happiness`);
  writeFileSync(path.join(dir, 'items.csv'), lines.join('\n') + '\n');
  const file = path.join(dir, 'classify.yaml');
  writeFileSync(file, `version: 1
name: remote-classify
models:
  m: { provider: openai, model: m, baseURL: "${options.url}", temperature: 0${options.apiKeyEnv ? `, apiKeyEnv: ${options.apiKeyEnv}` : ''} }
defaults:
  retries: 3
  timeoutMs: 20000
  concurrency: 16
${options.defaults ?? ''}${options.limits ? `  limits: { openai: { ${options.limits} } }\n` : ''}nodes:
  items: { kind: extract, with: { table: items.csv } }
  prompts: { kind: prompt-variant, needs: [items], with: { labels: basic7, variants: { numeric: { format: numeric, precision: 4 } } } }
  classify: { kind: classify, needs: [prompts], with: { models: [m], labels: basic7 } }
`);
  return file;
}

/** The records and errors of the run's classify task. */
export async function classifyOutput(runDir: string): Promise<{ records: FlowRecord[]; errors: unknown[] }> {
  const task = 'classify[model=m,variant=numeric]';
  const records: FlowRecord[] = [];
  for await (const record of readJsonl<FlowRecord>(path.join(runDir, 'tasks', `${task}.jsonl`))) records.push(record);
  const errors: unknown[] = [];
  const errorsFile = path.join(runDir, 'tasks', `${task}.errors.jsonl`);
  if (existsSync(errorsFile)) for await (const error of readJsonl(errorsFile)) errors.push(error);
  return { records, errors };
}

export function onlyRun(runsDir: string): string {
  const ids = listRunIds(runsDir);
  if (ids.length !== 1) throw new Error(`expected one run in ${runsDir}, found ${ids.join(', ') || 'none'}`);
  return path.join(runsDir, ids[0]!);
}

export interface RemoteSetup {
  readonly dir: string;
  readonly server: OpenAIServer;
  readonly redis: RedisServer;
  readonly workers: Workers;
  /** `run … --runs-dir runs --cache-dir cache --executor URL`, the arguments every run here shares. */
  readonly runArgs: readonly string[];
}

/**
 * The setting of every multi-process test here: a loopback LLM server, a fresh redis-server, a temp
 * folder with the classify project and `workers` worker processes started in it; all torn down after.
 */
export async function withRemoteProject(
  name: string,
  options: {
    readonly rows: number;
    readonly workers: number;
    readonly server?: OpenAIServerOptions;
    readonly redisPassword?: string;
    readonly project?: Omit<Parameters<typeof writeClassifyProject>[1], 'rows' | 'url'>;
    readonly worker?: Omit<Parameters<typeof startWorkers>[1], 'redis' | 'cwd'>;
  },
  body: (setup: RemoteSetup) => Promise<void>,
): Promise<void> {
  const server = await startOpenAIServer(options.server);
  const redis = await startRedisServer(options.redisPassword ? { password: options.redisPassword } : {});
  try {
    await withTempDir(name, async (dir) => {
      writeClassifyProject(dir, { rows: options.rows, url: server.url, ...options.project });
      const workers = await startWorkers(options.workers, { concurrency: 2, ...options.worker, redis: redis.url, cwd: dir });
      try {
        await body({ dir, server, redis, workers, runArgs: ['--runs-dir', 'runs', '--cache-dir', 'cache', '--executor', redis.url] });
      } finally {
        await workers.stop();
      }
    });
  } finally {
    await redis.close();
    await server.close();
  }
}
