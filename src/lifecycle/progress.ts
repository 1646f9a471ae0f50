import type { ItemOutcome, LogInfo, RetryInfo, RunEndInfo, RunEvent, RunInfo, RunLifeCycle } from '../types/run-events.js';
import type { RunStatus, TaskStats } from '../types/task-stats.js';
import type { TaskNode } from '../types/graph.js';
import type { ProviderLine, ProviderRate } from '../types/rate-limits.js';
import { runEventBuilder, type RunEventBuilder } from './run-event.js';
import { redact } from '../util/redact.js';
import { fitLine, fitTable } from './terminal-fit.js';

interface Live {
  /** The model the task calls, if any (its provider's limit sets the task's pace). */
  model?: string;
  done: number;
  cached: number;
  errors: number;
  pending: number;
  expected?: number;
  startedAt: number;
  /** When the task ended: its rate is frozen at the value it had then. */
  endedAt?: number;
  ended?: TaskStats;
}

export type ProgressMode = 'tty' | 'plain' | 'json';

export interface ProgressOptions {
  readonly mode: ProgressMode;
  readonly write?: (text: string) => void;
  readonly now?: () => number;
  /** Redraw / report interval in ms. */
  readonly intervalMs?: number;
  /** The terminal's size, read at every redraw (it may be resized). @default stderr's, else 80 × 24 */
  readonly size?: () => { readonly columns: number; readonly rows: number };
}

const MARK: Record<string, string> = { done: '✓', failed: '✗', skipped: '-', interrupted: '!', running: '…' };

const SOURCE: Record<string, string> = { configured: 'configured', server: 'from the server', learned: 'learned from 429s' };

/** A duration for humans: 45s, 3m20s, 1h05m. */
export function formatEta(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}


function providerText(line: ProviderLine): string {
  const parts = [`${line.provider}: ${line.requestsPerSecond.toFixed(1)} req/s`];
  if (line.limitPerMinute !== undefined) parts.push(`limit ${Math.round(line.limitPerMinute).toLocaleString('en')}/min (${SOURCE[line.limitSource ?? ''] ?? line.limitSource})`);
  if (line.tokensPerMinute !== undefined) parts.push(`${Math.round(line.tokensPerMinute).toLocaleString('en')} tokens/min`);
  if (line.etaSeconds !== undefined) parts.push(`${line.itemsLeft.toLocaleString('en')} left → ETA ${formatEta(line.etaSeconds)} at the limit`);
  return parts.join('  ');
}

function rateAndEta(live: Live, now: number): string {
  const seconds = ((live.endedAt ?? now) - live.startedAt) / 1000;
  const settled = live.done + live.errors + live.pending;
  // A task seen only at its end (done in an earlier attempt of a resumed run) has no rate of its own.
  if (live.ended && seconds <= 0) return '';
  const rate = seconds > 0 ? settled / seconds : 0;
  const eta = live.expected && rate > 0 ? Math.max(0, (live.expected - settled) / rate) : undefined;
  return `  ${rate.toFixed(1)}/s${eta !== undefined && !live.ended ? `  ETA ${eta.toFixed(0)}s` : ''}`;
}

function terminalSize(): { columns: number; rows: number } {
  return { columns: process.stderr.columns || 80, rows: process.stderr.rows || 24 };
}

/**
 * Shows a run as it goes: on a TTY a live table per task (done/total, cache hits, errors, rate, ETA)
 * and a line per provider that is calling (requests per second now; once its rate limit is known,
 * configured, from the server's headers or learned from 429s, the limit and the ETA that follows
 * from it for the items its models still have to do); elsewhere plain log lines; with --json one
 * JSON event per line on stdout (`progress` per task, `rate` per provider).
 */
export class ProgressLifeCycle implements RunLifeCycle {
  readonly #live = new Map<string, Live>();
  readonly #write: (text: string) => void;
  readonly #now: () => number;
  readonly #mode: ProgressMode;
  readonly #intervalMs: number;
  readonly #size: () => { readonly columns: number; readonly rows: number };
  readonly #events: RunEventBuilder;
  #timer?: NodeJS.Timeout;
  #drawnLines = 0;
  #providerRates?: () => readonly ProviderRate[];

  constructor(options: ProgressOptions) {
    this.#mode = options.mode;
    const write = options.write ?? ((text) => (options.mode === 'json' ? process.stdout : process.stderr).write(text));
    this.#write = (text) => write(redact(text));
    this.#now = options.now ?? Date.now;
    this.#intervalMs = options.intervalMs ?? (options.mode === 'tty' ? 200 : options.mode === 'json' ? 1000 : 10_000);
    this.#size = options.size ?? terminalSize;
    this.#events = runEventBuilder(() => new Date(this.#now()).toISOString());
  }

  /** A task's line in three parts: the mark, its id, and its counters (rate, ETA, why it ended). */
  #parts(label: string, live: Live): [string, string, string] {
    const status = live.ended?.status ?? 'running';
    const total = live.expected !== undefined ? `/${live.expected}` : '';
    const extra = live.ended?.reason ? `  (${live.ended.reason})` : '';
    return [`${MARK[status] ?? ' '} `, label, `  ${live.done}${total}  cached ${live.cached}  errors ${live.errors}${live.pending ? `  to compute ${live.pending}` : ''}${rateAndEta(live, this.#now())}${extra}`];
  }

  #line(label: string, live: Live): string {
    return this.#parts(label, live).join('');
  }

  /** `--json`: the same RunEvents events.jsonl holds, and `progress` samples, one a line on stdout. */
  #emitJson(event: RunEvent): void {
    this.#write(JSON.stringify(event) + '\n');
  }

  /** Providers that have called: the rate now, and the limit with the ETA it allows once the limit is known. */
  #providers(): ProviderLine[] {
    const rates = this.#providerRates?.() ?? [];
    return rates.filter((r) => r.snapshot.requestsPerSecond > 0 || r.snapshot.inFlight > 0 || r.snapshot.waiting > 0).map((r) => {
      const models = new Set(r.models);
      let itemsLeft = 0;
      for (const live of this.#live.values()) {
        if (live.ended || !live.model || !models.has(live.model) || live.expected === undefined) continue;
        itemsLeft += Math.max(0, live.expected - live.done - live.errors - live.pending);
      }
      const limit = r.snapshot.requestLimit;
      return {
        provider: r.provider,
        requestsPerSecond: r.snapshot.requestsPerSecond,
        ...(limit ? { limitPerMinute: limit.perMinute, limitSource: limit.source } : {}),
        ...(r.snapshot.tokenLimit ? { tokensPerMinute: r.snapshot.tokenLimit.perMinute } : {}),
        itemsLeft,
        ...(limit && limit.perMinute > 0 ? { etaSeconds: itemsLeft / (limit.perMinute / 60) } : {}),
      };
    });
  }

  #draw(): void {
    // One row per line, whatever the terminal's size: the cursor moves up exactly #drawnLines rows.
    // The providers' lines (rate, limit, ETA) stay below the tasks and are cut at their end.
    const { columns, rows } = this.#size();
    const providers = this.#providers().map((provider) => fitLine(`  ${providerText(provider)}`, '', '', columns - 1));
    const table = [...this.#live].map(([id, live]) => ({ text: fitLine(...this.#parts(id, live), columns - 1), done: live.ended?.status === 'done' }));
    const lines = [...fitTable(table, rows - 1 - providers.length), ...providers];
    const up = this.#drawnLines > 0 ? `\x1b[${this.#drawnLines}F` : '';
    this.#write(up + lines.map((l) => `\x1b[2K${l}`).join('\n') + '\n');
    this.#drawnLines = lines.length;
  }

  #tick(): void {
    if (this.#mode === 'tty') return this.#draw();
    for (const [id, live] of this.#live) {
      if (live.ended) continue;
      if (this.#mode === 'json') this.#emitJson(this.#events.progress(id, live));
      else this.#write(`  … ${this.#line(id, live)}\n`);
    }
    for (const provider of this.#providers()) {
      if (this.#mode === 'json') this.#emitJson({ event: 'rate', time: new Date(this.#now()).toISOString(), ...provider });
      else this.#write(`  … ${providerText(provider)}\n`);
    }
  }

  runStart(info: RunInfo): void {
    this.#providerRates = info.providerRates;
    if (this.#mode === 'json') this.#emitJson(this.#events.runStart(info));
    else this.#write(`${info.dryRun ? 'plan' : info.resumed ? 'resuming run' : 'run'} ${info.runId}: ${info.graph.order.length} tasks\n`);
    this.#timer = setInterval(() => this.#tick(), this.#intervalMs);
    this.#timer.unref();
  }

  taskStart(task: TaskNode, expected: number | undefined): void {
    this.#live.set(task.id, { ...(task.coords.model ? { model: task.coords.model } : {}), done: 0, cached: 0, errors: 0, pending: 0, expected, startedAt: this.#now() });
    if (this.#mode === 'json') this.#emitJson(this.#events.taskStart(task, expected));
    else if (this.#mode === 'plain') this.#write(`  start ${task.id}${expected !== undefined ? ` (${expected} items)` : ''}\n`);
  }

  itemEnd(task: TaskNode, outcome: ItemOutcome): void {
    const live = this.#live.get(task.id);
    if (!live) return;
    if (outcome === 'error') live.errors++;
    else if (outcome === 'pending') live.pending++;
    else {
      live.done++;
      if (outcome === 'cached') live.cached++;
    }
  }

  taskEnd(task: TaskNode, stats: TaskStats): void {
    const live = this.#live.get(task.id) ?? { done: stats.records, cached: stats.cacheHits, errors: stats.errors, pending: stats.pending, startedAt: this.#now() };
    live.ended = stats;
    live.endedAt = this.#now();
    this.#live.set(task.id, live);
    if (this.#mode === 'json') this.#emitJson(this.#events.taskEnd(task, stats));
    else if (this.#mode === 'plain') this.#write(`${this.#line(task.id, live)}\n`);
  }

  retry(task: TaskNode, info: RetryInfo): void {
    if (this.#mode === 'json') this.#emitJson(this.#events.retry(task, info));
  }

  log(event: LogInfo): void {
    if (this.#mode === 'json') return this.#emitJson(this.#events.log(event));
    if (event.level === 'debug') return;
    const line = `  ${event.level}: ${event.task ? `${event.task}: ` : ''}${event.message}\n`;
    if (this.#mode === 'plain') return this.#write(line);
    // On a TTY the line goes above the live table: clear the table, print, draw it again below.
    this.#write(`${this.#drawnLines > 0 ? `\x1b[${this.#drawnLines}F` : ''}\x1b[J${line}`);
    this.#drawnLines = 0;
    if (this.#live.size > 0) this.#draw();
  }

  runEnd(status: RunStatus, info: RunEndInfo): void {
    if (this.#timer) clearInterval(this.#timer);
    if (this.#mode === 'tty') this.#draw();
    if (this.#mode === 'json') this.#emitJson(this.#events.runEnd(status, info));
  }
}
