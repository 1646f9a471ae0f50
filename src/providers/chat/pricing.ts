import type { TokenUsage } from '../../types/records.js';

/** A model entry's optional price, per million tokens (any currency, reported as-is). */
export interface ModelPrice {
  readonly inputPerMTok?: number;
  readonly outputPerMTok?: number;
}

/**
 * Cost of one call (or of summed usage) under a model entry's price table; null when the entry has
 * no price or the call reported no usage (unknown, not zero).
 */
export function callCost(model: { readonly price?: ModelPrice }, usage: TokenUsage | undefined): number | null {
  const price = model.price;
  if (!price || (price.inputPerMTok === undefined && price.outputPerMTok === undefined) || !usage) return null;
  return (usage.inputTokens * (price.inputPerMTok ?? 0) + usage.outputTokens * (price.outputPerMTok ?? 0)) / 1_000_000;
}

/** Sums token usages; undefined entries (calls without usage) are skipped. */
export function addUsage(a: TokenUsage | undefined, b: TokenUsage | undefined): TokenUsage | undefined {
  if (!a) return b;
  if (!b) return a;
  return { inputTokens: a.inputTokens + b.inputTokens, outputTokens: a.outputTokens + b.outputTokens };
}
