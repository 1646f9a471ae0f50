import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

interface Estimate {
  readonly value?: number | null;
  readonly ci?: readonly [number, number];
}

interface MetricsGroup {
  readonly kind: string;
  readonly label: string;
  readonly n: number;
  readonly headline: Readonly<Record<string, Estimate>>;
}

/** Which headline metrics the closing table shows, per record kind (the rest are in metrics.json and the report). */
const SHOWN: Readonly<Record<string, readonly string[]>> = {
  classification: ['accuracy', 'macro_f1', 'kappa', 'invalid_rate'],
  multilabel: ['exact_match', 'jaccard', 'micro_f1', 'invalid_rate'],
  // The shuffled-reference baseline beside the mean cosine: the chance level of the same embedder.
  similarity: ['raw_mean', 'shuffled_mean', 'z_mean', 'percentile_mean'],
  va: ['valence_ccc', 'arousal_ccc'],
};

function cell(estimate: Estimate | undefined): string {
  if (!estimate || estimate.value === null || estimate.value === undefined) return 'n/a';
  const ci = estimate.ci ? ` [${estimate.ci[0].toFixed(2)}, ${estimate.ci[1].toFixed(2)}]` : '';
  return `${estimate.value.toFixed(3)}${ci}`;
}

/** A short table of headline metrics (95% intervals, docs/statistics.md) from every metrics*.json an aggregate node wrote. */
export function headlineTable(runDir: string): string {
  const files = readdirSync(runDir).filter((f) => /^(.+\.)?metrics\.json$/.test(f));
  const lines: string[] = [];
  for (const file of files) {
    let groups: MetricsGroup[];
    try {
      groups = (JSON.parse(readFileSync(path.join(runDir, file), 'utf8')) as { groups?: MetricsGroup[] }).groups ?? [];
    } catch {
      continue;
    }
    for (const kind of Object.keys(SHOWN)) {
      const rows = groups.filter((g) => g.kind === kind);
      if (rows.length === 0) continue;
      const metrics = SHOWN[kind].filter((m) => rows.some((r) => m in r.headline));
      const table = [['group', 'n', ...metrics], ...rows.map((r) => [r.label, String(r.n), ...metrics.map((m) => cell(r.headline[m]))])];
      const widths = table[0].map((_, i) => Math.max(...table.map((row) => row[i].length)));
      lines.push(`${kind} (${file}):`, ...table.map((row) => '  ' + row.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd()));
    }
  }
  return lines.length ? lines.join('\n') + '\n' : '';
}
