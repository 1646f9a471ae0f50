import type { ItemResult } from '../../src/types/node-kind.js';
import type { TokenUsage } from '../../src/types/records.js';

/**
 * Combines the N samples of one item. Single-label: the plurality label among valid samples (a tie
 * goes to the label that appeared first across the samples), with each label's share and the top
 * share as `agreement`. Multi-label: the labels named by at least half of the valid samples, in
 * order of frequency. No valid sample → prediction null, valid false.
 */
export function summarizeSamples(samples: readonly ItemResult[], multiLabel: boolean): ItemResult {
  const fields = samples.map((s) => s.fields);
  const valid = fields.filter((f) => f.valid === true);
  const counts = new Map<string, number>();
  for (const f of valid) {
    const labels = Array.isArray(f.prediction) ? f.prediction : [f.prediction];
    for (const label of new Set(labels)) if (typeof label === 'string') counts.set(label, (counts.get(label) ?? 0) + 1);
  }
  // Map iteration is insertion order, so a stable sort keeps first appearance among equal counts.
  const ranked = [...counts.entries()].sort((a, b) => b[1] - a[1]);
  const frequencies = Object.fromEntries(ranked.map(([label, n]) => [label, n / samples.length]));
  let prediction: string | string[] | null = null;
  if (valid.length > 0) {
    prediction = multiLabel
      ? ranked.filter(([, n]) => n * 2 >= valid.length).map(([label]) => label)
      : ranked[0]![0];
  }
  const top = ranked[0]?.[1] ?? 0;
  const majorityAnswer = fields.find((f) => JSON.stringify(f.prediction) === JSON.stringify(prediction)) ?? fields[0];
  const usage = samples.reduce<TokenUsage | undefined>((sum, s) => (s.usage
    ? { inputTokens: (sum?.inputTokens ?? 0) + s.usage.inputTokens, outputTokens: (sum?.outputTokens ?? 0) + s.usage.outputTokens }
    : sum), undefined);
  return {
    fields: {
      ...majorityAnswer,
      prediction,
      valid: prediction !== null && (!Array.isArray(prediction) || prediction.length > 0),
      frequencies,
      agreement: samples.length ? top / samples.length : null,
      validRate: samples.length ? valid.length / samples.length : null,
      samples: fields.map(({ prediction: p, answer, valid: v, finishReason }) => ({ prediction: p, answer, valid: v, finishReason })),
      ...(usage ? { usage } : {}),
    },
    ...(usage ? { usage } : {}),
  };
}
