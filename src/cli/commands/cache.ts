import { existsSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import { cacheFilePath, openCache, resolveCacheDir } from '../../cache/open.js';
import { parseDuration } from '../../cache/duration.js';
import type { CacheStats, CacheStore } from '../../cache/store.js';
import { UsageError } from '../../errors.js';

interface CacheDirOption {
  readonly cacheDir?: string;
}

interface StatsOptions extends CacheDirOption {
  readonly json?: boolean;
}

interface PruneOptions extends CacheDirOption {
  readonly olderThan?: string;
}

const CACHE_DIR_HELP = 'cache folder (default: $VAFLOW_CACHE_DIR, else .vaflow in the working directory)';

/** `vaflow cache stats | clear | prune --older-than 30d`. A missing cache is reported, never created. */
export function register(program: Command): void {
  const cache = program.command('cache').description('inspect and trim the result cache (<cache-dir>/cache.db)');

  cache
    .command('stats')
    .description('entries, size, namespaces and age of the cache')
    .option('--cache-dir <dir>', CACHE_DIR_HELP)
    .option('--json', 'print the statistics as JSON')
    .action(async (options: StatsOptions) => {
      const dir = resolveCacheDir(options.cacheDir, process.env);
      const file = cacheFilePath(dir);
      const exists = existsSync(file);
      const stats: CacheStats = exists ? await withCache(dir, (store) => store.stats()) : { entries: 0, bytes: 0, byNamespace: {}, path: file };
      const fileBytes = diskBytes(file);
      if (options.json) process.stdout.write(JSON.stringify({ ...stats, exists, fileBytes }, null, 2) + '\n');
      else process.stdout.write(formatStats(stats, { exists, fileBytes }));
    });

  cache
    .command('clear')
    .description('delete every cached entry')
    .option('--cache-dir <dir>', CACHE_DIR_HELP)
    .action(async (options: CacheDirOption) => {
      const dir = resolveCacheDir(options.cacheDir, process.env);
      const file = cacheFilePath(dir);
      if (!existsSync(file)) return void process.stdout.write(`no cache at ${file}; nothing to clear\n`);
      const removed = await withCache(dir, (store) => store.clear());
      process.stdout.write(`removed ${plural(removed, 'entry', 'entries')} from ${file}\n`);
    });

  cache
    .command('prune')
    .description('delete entries not used for a while')
    .option('--older-than <duration>', 'required: remove entries last used longer ago than this (45s, 90m, 12h, 30d, 2w)')
    .option('--cache-dir <dir>', CACHE_DIR_HELP)
    .action(async (options: PruneOptions) => {
      if (options.olderThan === undefined) throw new UsageError('cache prune: --older-than is required, e.g. --older-than 30d');
      const cutoff = Date.now() - parseDuration(options.olderThan);
      const dir = resolveCacheDir(options.cacheDir, process.env);
      const file = cacheFilePath(dir);
      if (!existsSync(file)) return void process.stdout.write(`no cache at ${file}; nothing to prune\n`);
      const removed = await withCache(dir, (store) => store.prune(cutoff));
      process.stdout.write(
        `removed ${plural(removed, 'entry', 'entries')} last used before ${new Date(cutoff).toISOString()} from ${file}\n`,
      );
    });
}

async function withCache<T>(dir: string, action: (store: CacheStore) => T): Promise<T> {
  const store = await openCache({ dir });
  try {
    return action(store);
  } finally {
    store.close();
  }
}

/** The database plus its write-ahead log, as the file system counts them. */
function diskBytes(file: string): number {
  let total = 0;
  for (const part of [file, `${file}-wal`]) {
    try {
      total += statSync(part).size;
    } catch {
      // absent: counts as zero
    }
  }
  return total;
}

function formatStats(stats: CacheStats, disk: { readonly exists: boolean; readonly fileBytes: number }): string {
  const lines = [`cache     ${stats.path}${disk.exists ? '' : ' (does not exist yet)'}`, `entries   ${stats.entries.toLocaleString('en-US')}`];
  lines.push(`size      ${formatBytes(stats.bytes)} of values, ${formatBytes(disk.fileBytes)} on disk`);
  if (stats.oldest !== undefined) lines.push(`oldest    ${new Date(stats.oldest).toISOString()}`);
  if (stats.newest !== undefined) lines.push(`newest    ${new Date(stats.newest).toISOString()}`);
  const namespaces = Object.entries(stats.byNamespace);
  if (namespaces.length > 0) {
    lines.push('by namespace');
    const width = Math.max(...namespaces.map(([name]) => name.length));
    for (const [name, group] of namespaces) {
      lines.push(`  ${name.padEnd(width)}  ${group.entries.toLocaleString('en-US').padStart(10)}  ${formatBytes(group.bytes).padStart(10)}`);
    }
  }
  return lines.join('\n') + '\n';
}

function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

function plural(count: number, one: string, many: string): string {
  return `${count.toLocaleString('en-US')} ${count === 1 ? one : many}`;
}
