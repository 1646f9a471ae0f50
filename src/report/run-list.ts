import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { listRunIds } from '../artifacts/run-folder.js';
import { runLiveness } from '../artifacts/run-lock.js';
import { readPlan } from './run-artifacts.js';
import { readRunManifest } from '../artifacts/run-folder.js';
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

/** For each metrics*.csv and record kind: the first headline metric, best over the groups. */
async function headlines(dir: string): Promise<RunHeadline[]> {
  const files = readdirSync(dir).filter((f) => METRICS_CSV.test(f)).sort();
  if (files.length === 0) return [];
  const { parse } = await import('csv-parse/sync');
  const out: RunHeadline[] = [];
  for (const file of files) {
    let rows: Record<string, string>[];
    try {
      rows = parse(readFileSync(path.join(dir, file), 'utf8'), { columns: true, skip_empty_lines: true }) as Record<string, string>[];
    } catch {
      continue;
    }
    const groupRows = rows.filter((r) => r.section === 'group');
    for (const kind of [...new Set(groupRows.map((r) => r.kind))]) {
      const ofKind = groupRows.filter((r) => r.kind === kind);
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
  const { manifest, problem } = readRunManifest({ manifestFile: path.join(dir, 'manifest.json') });
  const plan = readPlan(dir);
  const reports = existsSync(dir) ? readdirSync(dir).filter((f) => /(^|\.)report\.html$/.test(f)).sort() : [];
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
    headline: await headlines(dir),
    inputTokens: manifest.totals?.inputTokens ?? 0,
    outputTokens: manifest.totals?.outputTokens ?? 0,
    cost: manifest.totals?.cost ?? null,
    reports,
  };
}

/** Every run in the folder, oldest first. */
export async function summariseRuns(runsDir: string): Promise<RunSummary[]> {
  const out: RunSummary[] = [];
  for (const id of listRunIds(runsDir)) out.push(await summariseRun(runsDir, id));
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
