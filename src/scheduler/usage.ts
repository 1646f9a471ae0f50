import type { TokenUsage } from '../types/records.js';
import type { ResolvedModel } from '../types/providers.js';
import type { TaskStats } from '../types/task-stats.js';
import { callCost } from '../providers/chat/pricing.js';

/** Adds one call's tokens to a task's counters, and its cost when the model entry has a price table. */
export function countUsage(stats: TaskStats, usage: TokenUsage | undefined, model: ResolvedModel | undefined): void {
  if (!usage) return;
  stats.inputTokens += usage.inputTokens;
  stats.outputTokens += usage.outputTokens;
  const cost = model ? callCost(model, usage) : null;
  if (cost !== null) stats.cost = (stats.cost ?? 0) + cost;
}
