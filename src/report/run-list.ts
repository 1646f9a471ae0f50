import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { listRunIds } from '../artifacts/run-folder.js';
import { runLiveness } from '../artifacts/run-lock.js';
import { readPlan } from './run-artifacts.js';
import { readRunManifest } from '../artifacts/run-folder.js';
import { writeFileAtomicSync } from '../artifacts/atomic-write.js';
import { formatCost } from './usage.js';

/**
 * One line per run for `vaflow runs ls` and runs/index.html: status (a `running` manifest whose
 * process is gone shows as interrupted, stale: src/artifacts/run-lock.ts), pipeline, models, items,
 * headline metrics, tokens and cost. Everything comes from small files — manifest.json, plan.json
 * and the group rows of metrics*.csv — never from metrics.json's item arrays, so listing stays fast
 * however large the runs.
 */
export interface RunHeadline {
  /** The metrics file's aggregate node (null: the only one). */
  readonly node: string | null;
  readonly kind: string;
  readonly metric: string;
  /** The best group's value and its label; `groups` is how many groups the best was taken over. */
  readonly value: number;
  readonly ciLow: number | null;
  readonly ciHigh: number | null;
  readonly label: string;
  readonly groups: number;
}

export interface RunSummary {
  readonly id: string;
  readonly dir: string;
  /** completed, failed, interrupted, running, or unreadable (no parseable manifest). */
  readonly status: string;
  /** Why a manifest that says `running` is not believed: the run's process is gone, so it shows as interrupted. */
  readonly stale?: string;
  /** Why the manifest is unreadable (status `unreadable`). */
  readonly problem?: string;
  readonly pipeline: string;
  readonly startedAt: string | null;
  readonly endedAt: string | null;
  readonly models: string[];
  /** Input items: records of the source tasks. */
  readonly items: number | null;
  readonly headline: RunHeadline[];
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly cost: number | null;
  /** report.html files in the run folder (names, relative to it). */
  readonly reports: string[];
}

const METRICS_CSV = /^(?:(.+)\.)?metrics\.csv$/;

/** The group rows of a metrics CSV (section `group`), as objects by column; throws when a row's width differs from the header's. */
function groupRows(text: string): Record<string, string>[] {
  // csv-parse throws on a record whose width differs from the header's.
  const [header, ...records] = parse(text, { skip_empty_lines: true }) as string[][];
  if (!header) return [];
  const section = header.indexOf('section');
  const rows: Record<string, string>[] = [];
  for (const record of records) {
    if (record[section] === 'group') rows.push(Object.fromEntries(header.map((name, i) => [name, record[i]!])));
  }
  return rows;
}

/** For each metrics*.csv among `files` (the run folder's names) and record kind: the first headline metric, best over the groups. */
function headlines(dir: string, files: readonly string[]): RunHeadline[] {
  const out: RunHeadline[] = [];
  for (const file of files.filter((f) => METRICS_CSV.test(f)).sort()) {
    let rows: Record<string, string>[];
    try {
      rows = groupRows(readFileSync(path.join(dir, file), 'utf8'));
    } catch {
      continue;
    }
    for (const kind of [...new Set(rows.map((r) => r.kind))]) {
      const ofKind = rows.filter((r) => r.kind === kind);
      const metric = ofKind[0].metric;
      const candidates = ofKind.filter((r) => r.metric === metric && r.value !== '');
      const best = candidates.reduce<Record<string, string> | undefined>((b, r) => (!b || Number(r.value) > Number(b.value) ? r : b), undefined);
      if (!best) continue;
      const num = (s: string) => (s === '' ? null : Number(s));
      out.push({
        node: METRICS_CSV.exec(file)![1] ?? null,
        kind,
        metric,
        value: Number(best.value),
        ciLow: num(best.ci_low),
        ciHigh: num(best.ci_high),
        label: best.label,
        groups: new Set(ofKind.map((r) => r.group)).size,
      });
    }
  }
  return out;
}

export async function summariseRun(runsDir: string, id: string): Promise<RunSummary> {
  const dir = path.join(runsDir, id);
  return summarise(runsDir, id, existsSync(dir) ? readdirSync(dir) : []);
}

/** A run's summary from its folder's file names (`files`) and the files among them it reads. */
function summarise(runsDir: string, id: string, files: readonly string[]): RunSummary {
  const dir = path.join(runsDir, id);
  const { manifest, problem } = readRunManifest({ manifestFile: path.join(dir, 'manifest.json') });
  const plan = readPlan(dir);
  const reports = reportFiles(files);
  if (!manifest) {
    return { id, dir, status: 'unreadable', problem, pipeline: '?', startedAt: null, endedAt: null, models: [], items: null, headline: [], inputTokens: 0, outputTokens: 0, cost: null, reports };
  }
  let status: string = manifest.status;
  let stale: string | undefined;
  if (manifest.status === 'running') {
    const liveness = runLiveness(dir);
    if (!liveness.live) {
      status = 'interrupted';
      stale = liveness.reason;
    }
  }
  const models = plan ? [...new Set(Object.values(plan.tasks).flatMap((t) => (t.coords.model !== undefined ? [t.coords.model] : [])))].sort() : [];
  const sources = plan?.roots ?? [];
  const counted = sources.filter((id) => manifest.tasks[id] !== undefined);
  return {
    id,
    dir,
    status,
    ...(stale !== undefined ? { stale } : {}),
    pipeline: manifest.pipeline?.name ?? '?',
    startedAt: manifest.startedAt ?? null,
    endedAt: manifest.endedAt ?? null,
    models,
    items: counted.length ? counted.reduce((n, id) => n + manifest.tasks[id].records, 0) : null,
    headline: headlines(dir, files),
    inputTokens: manifest.totals?.inputTokens ?? 0,
    outputTokens: manifest.totals?.outputTokens ?? 0,
    cost: manifest.totals?.cost ?? null,
    reports,
  };
}

function reportFiles(files: readonly string[]): string[] {
  return files.filter((f) => /(^|\.)report\.html$/.test(f)).sort();
}

/**
 * runs/index.cache.json: the summary of each run whose manifest is final, with the stamp of what it
 * was made from, so the index a run rebuilds at its end (and `runs ls`) reads only the runs that
 * changed: a runs folder of hundreds of runs costs a listing and a few stats per run, not their
 * manifests, plans and metrics files. Derived and disposable: missing, unreadable or of another
 * version, it is rebuilt; it is never the only copy of anything. Named to sort after the run ids.
 */
export const SUMMARY_CACHE_FILE = 'index.cache.json';
const SUMMARY_CACHE_VERSION = 1;

interface SummaryCache {
  readonly version: number;
  readonly runs: Record<string, { readonly stamp: string; readonly summary: RunSummary }>;
}

/**
 * What a summary is made of: the report names, and the size, inode and modification time (ns) of
 * manifest.json, plan.json and each metrics*.csv. Rewriting any of them (atomically: a new inode)
 * or adding a report or metrics file changes the stamp.
 */
function stampOf(dir: string, files: readonly string[]): string {
  const read = ['manifest.json', 'plan.json', ...files.filter((f) => METRICS_CSV.test(f)).sort()].map((file) => {
    try {
      const info = statSync(path.join(dir, file), { bigint: true });
      return `${file}:${info.size}:${info.ino}:${info.mtimeNs}`;
    } catch {
      return `${file}:-`;
    }
  });
  return JSON.stringify([read, reportFiles(files)]);
}

function readSummaryCache(runsDir: string): SummaryCache['runs'] {
  try {
    const cache = JSON.parse(readFileSync(path.join(runsDir, SUMMARY_CACHE_FILE), 'utf8')) as SummaryCache;
    return cache.version === SUMMARY_CACHE_VERSION && cache.runs && typeof cache.runs === 'object' ? cache.runs : {};
  } catch {
    return {};
  }
}

/**
 * Whether a summary can be kept: not while its manifest says running (whether its process is still
 * there is judged anew each time), and only when JSON keeps it as is (a NaN headline would not).
 */
function cacheable(summary: RunSummary): boolean {
  const kept = (n: number | null) => n === null || Number.isFinite(n);
  return summary.status !== 'running' && summary.stale === undefined && summary.headline.every((h) => kept(h.value) && kept(h.ciLow) && kept(h.ciHigh));
}

/**
 * Every run in the folder, oldest first; runs whose files did not change since the cache was written
 * come from runs/index.cache.json. `readOnly` (`runs ls`): use the cache, never write it.
 */
export async function summariseRuns(runsDir: string, options: { readonly readOnly?: boolean } = {}): Promise<RunSummary[]> {
  const cached = readSummaryCache(runsDir);
  const next: SummaryCache['runs'] = {};
  const out: RunSummary[] = [];
  let changed = false;
  for (const id of listRunIds(runsDir)) {
    const dir = path.join(runsDir, id);
    let files: string[] = [];
    try {
      files = readdirSync(dir);
    } catch {
      // Gone since it was listed: summarised as unreadable below.
    }
    const stamp = stampOf(dir, files);
    const hit = Object.hasOwn(cached, id) ? cached[id] : undefined;
    // `dir` as this call names it (the runs folder may be given relative or absolute).
    const summary = hit?.stamp === stamp ? { ...hit.summary, dir } : summarise(runsDir, id, files);
    out.push(summary);
    // Stored without the folder's path (kept in place, empty: the key order stays): the runs folder may move.
    if (cacheable(summary)) next[id] = hit?.stamp === stamp ? hit : { stamp, summary: { ...summary, dir: '' } };
    changed ||= next[id] !== hit;
  }
  if (!options.readOnly && (changed || Object.keys(cached).some((id) => !Object.hasOwn(next, id)))) {
    try {
      writeFileAtomicSync(path.join(runsDir, SUMMARY_CACHE_FILE), JSON.stringify({ version: SUMMARY_CACHE_VERSION, runs: next } satisfies SummaryCache));
    } catch {
      // A read-only runs folder: listing still works, from the files.
    }
  }
  return out;
}

export function formatHeadline(h: RunHeadline): string {
  return `${h.metric} ${h.value.toFixed(3)}`;
}

/** The `runs ls` table: one row per run, newest last. */
export function formatRunTable(runs: readonly RunSummary[]): string {
  const rows = [
    ['RUN', 'STATUS', 'PIPELINE', 'MODELS', 'ITEMS', 'HEADLINE (best group)', 'COST'],
    ...runs.map((r) => [
      r.id,
      r.stale !== undefined ? 'interrupted (stale)' : r.status,
      r.problem ? `? (${r.problem})` : r.pipeline,
      r.models.join(',') || '—',
      r.items === null ? '—' : String(r.items),
      r.headline.map(formatHeadline).join(' · ') || '—',
      formatCost(r.cost ?? undefined),
    ]),
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  return rows.map((row) => row.map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i]))).join('  ')).join('\n') + '\n';
}
