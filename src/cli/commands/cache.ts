import { existsSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import { cacheFilePath, openCache, resolveCacheDir } from '../../cache/open.js';
import { parseDuration } from '../../cache/duration.js';
import type { CacheStats, CacheStore } from '../../cache/store.js';
import type { EntryFilter } from '../../cache/entry-filter.js';
import { confirm } from '../confirm.js';
import { UsageError } from '../../errors.js';

interface CacheDirOption {
  readonly cacheDir?: string;
}

interface StatsOptions extends CacheDirOption {
  readonly json?: boolean;
}

interface ClearOptions extends CacheDirOption {
  readonly model: string[];
  readonly node: string[];
  readonly namespace: string[];
  readonly olderThan?: string;
  readonly newerThan?: string;
  readonly dryRun?: boolean;
  readonly yes?: boolean;
}

interface PruneOptions extends CacheDirOption {
  readonly olderThan?: string;
}

const CACHE_DIR_HELP = 'cache folder (default: $VAFLOW_CACHE_DIR, else .vaflow in the working directory)';

/**
 * `vaflow cache stats | clear [filters] | prune --older-than 30d`. A missing cache is reported, never
 * created. `clear` asks on a terminal, and needs --yes elsewhere (a script must say it means it).
 */
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
    .description('delete cached entries: all of them, or those the filters select (every filter given must hold); asks first on a terminal')
    .option('--model <id>', 'entries of this model (its id under models:): its answers and its tasks\' results; repeatable', collect, [])
    .option('--node <id>', 'entries written by this node\'s tasks; repeatable', collect, [])
    .option('--namespace <name>', `entries of this kind: ${NAMESPACES.join(', ')}; repeatable`, collect, [])
    .option('--older-than <duration>', 'entries last used longer ago than this (45s, 90m, 12h, 30d, 2w)')
    .option('--newer-than <duration>', 'entries created within this long (e.g. 2h: what the last runs wrote)')
    .option('--dry-run', 'print what would be removed, remove nothing')
    .option('-y, --yes', 'remove without asking (needed when not on a terminal)')
    .option('--cache-dir <dir>', CACHE_DIR_HELP)
    .action(async (options: ClearOptions) => {
      const filter = clearFilter(options);
      const dir = resolveCacheDir(options.cacheDir, process.env);
      const file = cacheFilePath(dir);
      if (!existsSync(file)) return void process.stdout.write(`no cache at ${file}; nothing to clear\n`);
      const selection = describeFilter(options);
      await withCache(dir, async (store) => {
        const matching = store.stats(filter);
        const what = `${plural(matching.entries, 'entry', 'entries')}${breakdown(matching)}${selection ? ` ${selection}` : ''}`;
        if (matching.entries === 0) return void process.stdout.write(`no entries${selection ? ` ${selection}` : ''} in ${file}; nothing to clear\n`);
        if (options.dryRun) return void process.stdout.write(`would remove ${what} from ${file}\n`);
        if (!options.yes) {
          if (!process.stdin.isTTY || !process.stderr.isTTY) {
            throw new UsageError(`cache clear: ${what} would be removed from ${file}; add --yes to remove them (or --dry-run to only list them): not asking without a terminal`);
          }
          if (!(await confirm(`remove ${what} from ${file}? [y/N] `))) return void process.stdout.write('nothing removed\n');
        }
        const removed = store.clear(filter);
        process.stdout.write(`removed ${plural(removed, 'entry', 'entries')}${selection ? ` ${selection}` : ''} from ${file}\n`);
      });
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

async function withCache<T>(dir: string, action: (store: CacheStore) => T | Promise<T>): Promise<T> {
  const store = await openCache({ dir });
  try {
    return await action(store);
  } finally {
    store.close();
  }
}

const NAMESPACES = ['item', 'chat', 'source', 'embedding'] as const;

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** The filter the options ask for; a namespace nobody writes is a usage error, not an empty selection. */
function clearFilter(options: ClearOptions): EntryFilter {
  for (const name of options.namespace) {
    if (!(NAMESPACES as readonly string[]).includes(name)) throw new UsageError(`--namespace: expected one of ${NAMESPACES.join(', ')}, got ${JSON.stringify(name)}`);
  }
  const now = Date.now();
  return {
    ...(options.model.length ? { models: options.model } : {}),
    ...(options.node.length ? { nodes: options.node } : {}),
    ...(options.namespace.length ? { namespaces: options.namespace } : {}),
    ...(options.olderThan !== undefined ? { lastUsedBefore: now - parseDuration(options.olderThan, '--older-than') } : {}),
    ...(options.newerThan !== undefined ? { createdAfter: now - parseDuration(options.newerThan, '--newer-than') } : {}),
  };
}

/** `matching --model m --older-than 30d`, as the user typed it; empty without filters. */
function describeFilter(options: ClearOptions): string {
  const parts = [
    ...options.model.map((m) => `--model ${m}`),
    ...options.node.map((n) => `--node ${n}`),
    ...options.namespace.map((n) => `--namespace ${n}`),
    ...(options.olderThan !== undefined ? [`--older-than ${options.olderThan}`] : []),
    ...(options.newerThan !== undefined ? [`--newer-than ${options.newerThan}`] : []),
  ];
  return parts.length ? `matching ${parts.join(' ')}` : '';
}

/** ` (chat 12, item 12)` */
function breakdown(stats: CacheStats): string {
  const groups = Object.entries(stats.byNamespace);
  return groups.length ? ` (${groups.map(([name, group]) => `${name} ${group.entries.toLocaleString('en-US')}`).join(', ')})` : '';
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
