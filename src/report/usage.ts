import type { TaskStats } from '../types/task-stats.js';
import type { Coords } from '../types/records.js';

/**
 * Tokens and cost per model: the manifest's per-task counters summed over the tasks whose `model`
 * coordinate names the model (a describe task and the embed-score tasks downstream of it carry the
 * same model coordinate, but only the task that called the model counts tokens). Cost is in the
 * currency of the model's price table and absent when no task of the model has a price.
 */
export interface ModelUsage {
  readonly model: string;
  readonly tasks: number;
  /** Items answered (calls made plus answers served from the cache). */
  readonly items: number;
  readonly cacheHits: number;
  /** Items sent to the model in this run. */
  readonly calls: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly cost?: number;
}

export function usageByModel(tasks: Readonly<Record<string, TaskStats>>, coordsOf: (taskId: string) => Coords | undefined): ModelUsage[] {
  const byModel = new Map<string, { tasks: number; items: number; cacheHits: number; calls: number; inputTokens: number; outputTokens: number; cost?: number }>();
  for (const [taskId, s] of Object.entries(tasks)) {
    const model = coordsOf(taskId)?.model;
    // Tasks that called no model (embed-score, aggregate downstream of one) carry its coordinate but no calls.
    if (model === undefined || s.cacheHits + s.cacheMisses + s.inputTokens + s.outputTokens === 0) continue;
    const u = byModel.get(model) ?? { tasks: 0, items: 0, cacheHits: 0, calls: 0, inputTokens: 0, outputTokens: 0 };
    u.tasks++;
    u.items += s.cacheHits + s.cacheMisses;
    u.cacheHits += s.cacheHits;
    u.calls += s.cacheMisses;
    u.inputTokens += s.inputTokens;
    u.outputTokens += s.outputTokens;
    if (s.cost !== undefined) u.cost = (u.cost ?? 0) + s.cost;
    byModel.set(model, u);
  }
  return [...byModel].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([model, u]) => ({ model, ...u }));
}

export function formatCost(cost: number | undefined): string {
  return cost === undefined ? '—' : cost.toFixed(4);
}

/** Lines for the terminal: one per model. */
export function formatUsage(usage: readonly ModelUsage[]): string {
  if (usage.length === 0) return '';
  const rows = [['model', 'items', 'cached', 'calls', 'input tokens', 'output tokens', 'cost'], ...usage.map((u) => [
    u.model, String(u.items), String(u.cacheHits), String(u.calls), String(u.inputTokens), String(u.outputTokens), formatCost(u.cost),
  ])];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return ['tokens and cost per model:', ...rows.map((r) => '  ' + r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  '))].join('\n') + '\n';
}
