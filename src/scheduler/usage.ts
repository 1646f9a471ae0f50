import type { TokenUsage } from '../types/records.js';
import type { ResolvedModel } from '../types/providers.js';
import type { TaskStats } from './task-stats.js';

/** Adds one call's tokens, and its cost when the model entry has a price table (per million tokens). */
export function addUsage(stats: TaskStats, usage: TokenUsage | undefined, model: ResolvedModel | undefined): void {
  if (!usage) return;
  stats.inputTokens += usage.inputTokens;
  stats.outputTokens += usage.outputTokens;
  const price = model?.price;
  if (price) {
    stats.cost = (stats.cost ?? 0) + (usage.inputTokens * (price.inputPerMTok ?? 0) + usage.outputTokens * (price.outputPerMTok ?? 0)) / 1e6;
  }
}
