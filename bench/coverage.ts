// Coverage of vaflow's confidence intervals, by simulation with a fixed seed: how often the 95%
// interval the real code computes (src/stats: computeGroupMetrics, compareItems, proportionInterval)
// contains the true value of a population we draw from. Not a speed benchmark: a statistical one.
//   npm run build && node dist/bench/coverage.js [bootstrap-reps] [proportion-reps] [section …]
// Defaults: 400 replications per bootstrap cell (1000 resamples each), 4000 per proportion cell,
// every section (proportions, clustered, classification, similarity, va, paired, paired-classification).
// Monte Carlo error of a coverage near 95%: ±1.1 points (2 SE) at 400 replications, ±0.7 at 4000.
import { bootstrapIntervals } from '../src/stats/bootstrap.js';
import type { SimilarityItems, SingleLabelItems, VaItems } from '../src/stats/group-data.js';
import { computeGroupMetrics } from '../src/stats/group-metrics.js';
import { compareItems } from '../src/stats/paired.js';
import { createRng, deriveSeed, type Rng } from '../src/stats/prng.js';
import { clopperPearson, proportionInterval } from '../src/stats/proportion.js';
import type { Estimate } from '../src/stats/value.js';

const BOOT_REPS = Number(process.argv[2] ?? 400);
const PROP_REPS = Number(process.argv[3] ?? 4000);
const SETTINGS = { resamples: 1000, confidence: 0.95 };
const SEED = 20250206;

function normal(rng: Rng): number {
  // Box–Muller; 1 − u keeps the logarithm finite.
  return Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
}

/** Share of replications whose interval contains the truth; replications without an interval count as misses. */
class Tally {
  hits = 0;
  total = 0;
  missingInterval = 0;
  widths = 0;
  add(e: { ci: readonly [number, number] | null } | undefined, truth: number): void {
    this.total++;
    if (!e?.ci) { this.missingInterval++; return; }
    this.widths += e.ci[1] - e.ci[0];
    if (e.ci[0] <= truth && truth <= e.ci[1]) this.hits++;
  }
  get coverage(): number {
    return this.hits / this.total;
  }
  /** Mean width of the intervals given. */
  get width(): number {
    return this.widths / (this.total - this.missingInterval);
  }
}

const rows: string[][] = [];
function report(section: string, cell: string, metric: string, tally: Tally, method: string, options: { width?: boolean } = {}): void {
  const missing = tally.missingInterval ? ` (${tally.missingInterval} without interval)` : '';
  const width = options.width ? `, mean width ${tally.width.toFixed(3)}` : '';
  rows.push([section, cell, metric, method, `${(100 * tally.coverage).toFixed(1)}%${missing}${width}`]);
}

// ── Proportions: Clopper–Pearson (exact coverage, and simulated), and the percentile bootstrap it replaced.
function proportions(): void {
  for (const n of [20, 50, 100, 200, 500, 1000]) {
    const intervals = Array.from({ length: n + 1 }, (_, x) => clopperPearson(x, n, 0.95));
    let worst = { p: 0, coverage: 1 };
    for (let k = 1; k < 1000; k++) {
      const p = k / 1000;
      let coverage = 0;
      let logPmf = n * Math.log1p(-p);
      for (let x = 0; x <= n; x++) {
        if (x > 0) logPmf += Math.log((n - x + 1) / x) + Math.log(p) - Math.log1p(-p);
        if (intervals[x][0] <= p && p <= intervals[x][1]) coverage += Math.exp(logPmf);
      }
      if (coverage < worst.coverage) worst = { p, coverage };
    }
    rows.push(['proportion (exact)', `n=${n}, worst p on a 0.001 grid: ${worst.p}`, 'accuracy', 'clopper-pearson', `${(100 * worst.coverage).toFixed(1)}%`]);
  }
  for (const n of [20, 100, 1000]) {
    for (const p of [0.5, 0.9, 0.98]) {
      const rng = createRng(deriveSeed(SEED, `prop-${n}-${p}`));
      const exact = new Tally();
      const boot = new Tally();
      for (let r = 0; r < PROP_REPS; r++) {
        const outcomes = Array.from({ length: n }, () => rng.next() < p);
        exact.add(proportionInterval({ outcomes, clusters: null }, 0.95), p);
        if (n <= 100 && r < BOOT_REPS) {
          const b = bootstrapIntervals({ n, ...SETTINGS, seed: r }, ['p'], (idx) => {
            let s = 0;
            for (const i of idx) s += outcomes[i] ? 1 : 0;
            return { p: s / idx.length };
          });
          boot.add(b.p, p);
        }
      }
      report('proportion (simulated)', `n=${n}, p=${p}`, 'accuracy', exact, 'clopper-pearson');
      if (boot.total) report('proportion (simulated)', `n=${n}, p=${p}`, 'accuracy', boot, 'percentile-bootstrap (replaced)');
    }
  }
}

// ── Proportions over pooled rows: C ids × 3 rows; with probability ρ an id's rows share one outcome.
function clusteredProportions(): void {
  const k = 3;
  const rho = 0.5;
  for (const ids of [20, 50, 200]) {
    for (const p of [0.5, 0.9, 0.98]) {
      const rng = createRng(deriveSeed(SEED, `cprop-${ids}-${p}`));
      const clustered = new Tally();
      const naive = new Tally();
      const clusters = Array.from({ length: ids * k }, (_, i) => Math.floor(i / k));
      for (let r = 0; r < PROP_REPS; r++) {
        const outcomes: boolean[] = [];
        for (let c = 0; c < ids; c++) {
          const shared = rng.next() < rho;
          const common = rng.next() < p;
          for (let j = 0; j < k; j++) outcomes.push(shared ? common : rng.next() < p);
        }
        clustered.add(proportionInterval({ outcomes, clusters }, 0.95), p);
        naive.add(proportionInterval({ outcomes, clusters: null }, 0.95), p);
      }
      report('pooled proportion', `${ids} ids × ${k} rows, ICC ${rho}, p=${p}`, 'accuracy', clustered, 'clopper-pearson-clustered');
      report('pooled proportion', `${ids} ids × ${k} rows, ICC ${rho}, p=${p}`, 'accuracy', naive, 'clopper-pearson on rows (ignoring ids)');
    }
  }
}

// ── Classification: 4 balanced classes; right with probability q, invalid with v, else a uniform wrong class.
function classification(): void {
  const q = 0.6;
  const v = 0.05;
  const truths = { macro_f1: (2 * q) / (2 - v), weighted_f1: (2 * q) / (2 - v), kappa: (q - (1 - v) / 4) / (1 - (1 - v) / 4) };
  // n = 1000 (50 items per confusion cell) is resampled as multinomial counts, the smaller n item by item.
  for (const n of [20, 50, 200, 1000]) {
    const rng = createRng(deriveSeed(SEED, `class-${n}`));
    const tallies = Object.fromEntries(Object.keys(truths).map((m) => [m, new Tally()]));
    for (let r = 0; r < BOOT_REPS; r++) {
      const truth = Array.from({ length: n }, () => rng.int(4));
      const pred = truth.map((t) => {
        const u = rng.next();
        return u < q ? t : u < q + v ? -1 : (t + 1 + rng.int(3)) % 4;
      });
      const items: SingleLabelItems = { kind: 'classification', keys: truth.map((_, i) => `i${i}`), labels: ['a', 'b', 'c', 'd'], truth, pred, valence: [], arousal: [] };
      const m = computeGroupMetrics(items, { ...SETTINGS, seed: r });
      for (const [metric, value] of Object.entries(truths)) tallies[metric].add(m.headline[metric], value);
    }
    for (const metric of Object.keys(truths)) report('classification', `n=${n}, 4 classes, accuracy ${q}`, metric, tallies[metric], 'percentile-bootstrap');
  }
}

/** Mean cosine, median and Spearman against a human rating, per similarity group; the rows of an id share a level when k > 1. */
function similarityItems(rng: Rng, ids: number, k: number): SimilarityItems {
  const keys: string[] = [];
  const idOf: string[] = [];
  const raw: number[] = [];
  const rating: number[] = [];
  for (let c = 0; c < ids; c++) {
    const level = k > 1 ? 0.07 * normal(rng) : 0;
    for (let j = 0; j < k; j++) {
      // Skewed: 0.55 + 0.1·exp(0.5 Z) has mean 0.55 + 0.1·e^0.125 and median 0.65 (k = 1).
      const z = normal(rng);
      const x = k > 1 ? 0.7 + level + 0.07 * normal(rng) : 0.55 + 0.1 * Math.exp(0.5 * z);
      raw.push(x);
      // Bivariate normal with r = 0.6 between z and the rating: Spearman's rho = (6/π)·asin(0.3).
      rating.push(0.6 * z + 0.8 * normal(rng));
      keys.push(`${c}|variant=${j}`);
      idOf.push(String(c));
    }
  }
  return { kind: 'similarity', keys, ...(k > 1 ? { ids: idOf } : {}), embedders: ['sim'], raw, nullMean: raw.map(() => 0.5), z: raw, percentile: raw, rating };
}

function similarity(): void {
  const truths = { raw_mean: 0.55 + 0.1 * Math.exp(0.125), raw_median: 0.65, spearman_human: (6 / Math.PI) * Math.asin(0.3) };
  for (const n of [20, 50, 200]) {
    const rng = createRng(deriveSeed(SEED, `sim-${n}`));
    const tallies = Object.fromEntries(Object.keys(truths).map((m) => [m, new Tally()]));
    for (let r = 0; r < BOOT_REPS; r++) {
      const m = computeGroupMetrics(similarityItems(rng, n, 1), { ...SETTINGS, seed: r });
      for (const [metric, value] of Object.entries(truths)) tallies[metric].add(m.headline[metric], value);
    }
    for (const metric of Object.keys(truths)) report('similarity', `n=${n}, skewed cosines`, metric, tallies[metric], 'percentile-bootstrap');
  }
  // Pooled rows: ids × 3 rows with ICC 0.5 around a mean of 0.7; the same rows without ids resample rows.
  for (const ids of [20, 50]) {
    const rng = createRng(deriveSeed(SEED, `sim-pooled-${ids}`));
    const clustered = new Tally();
    const naive = new Tally();
    for (let r = 0; r < BOOT_REPS; r++) {
      const items = similarityItems(rng, ids, 3);
      clustered.add(computeGroupMetrics(items, { ...SETTINGS, seed: r }).headline.raw_mean, 0.7);
      const { ids: _ids, ...rows } = items;
      naive.add(computeGroupMetrics(rows, { ...SETTINGS, seed: r }).headline.raw_mean, 0.7);
    }
    report('pooled similarity', `${ids} ids × 3 rows, ICC 0.5`, 'raw_mean', clustered, 'cluster-bootstrap');
    report('pooled similarity', `${ids} ids × 3 rows, ICC 0.5`, 'raw_mean', naive, 'percentile-bootstrap on rows (ignoring ids)');
  }
}

// ── VA agreement: x ~ N(0, 0.5²), annotated y = 0.8x + 0.1 + N(0, 0.2²).
function va(): void {
  const truths = { valence_pearson: 0.2 / Math.sqrt(0.25 * 0.2), valence_ccc: 0.4 / 0.46, valence_rmse: Math.sqrt(0.06) };
  for (const n of [20, 50, 200]) {
    const rng = createRng(deriveSeed(SEED, `va-${n}`));
    const tallies = Object.fromEntries(Object.keys(truths).map((m) => [m, new Tally()]));
    for (let r = 0; r < BOOT_REPS; r++) {
      const valence = Array.from({ length: n }, () => 0.5 * normal(rng));
      const annotatedValence = valence.map((x) => 0.8 * x + 0.1 + 0.2 * normal(rng));
      const items: VaItems = { kind: 'va', keys: valence.map((_, i) => `i${i}`), valence, arousal: valence, annotatedValence, annotatedArousal: annotatedValence };
      const m = computeGroupMetrics(items, { ...SETTINGS, seed: r });
      for (const [metric, value] of Object.entries(truths)) tallies[metric].add(m.headline[metric], value);
    }
    for (const metric of Object.keys(truths)) report('va agreement', `n=${n}`, metric, tallies[metric], 'percentile-bootstrap');
  }
}

// ── Paired deltas of accuracy. A is right with 0.7; B copies A's outcome with probability λ, else is
// right with 0.9, so Δ = (1 − λ)·0.2: λ = 0.5 gives Δ = 0.1; λ = 0.9 gives Δ = 0.02 and few discordant
// pairs (where a paired bootstrap collapses). Pooled: 3 rows per id, all rows of an id sharing one
// draw with probability 0.5.
function pairedDeltas(): void {
  const draw = (rng: Rng, lambda: number): [boolean, boolean] => {
    const a = rng.next() < 0.7;
    return [a, rng.next() < lambda ? a : rng.next() < 0.9];
  };
  const group = (keys: string[], ok: boolean[], ids?: string[]): SingleLabelItems =>
    ({ kind: 'classification', keys, ...(ids ? { ids } : {}), labels: ['a', 'b'], truth: keys.map(() => 0), pred: ok.map((o) => (o ? 0 : 1)), valence: [], arousal: [] });
  for (const lambda of [0.5, 0.9]) {
    const delta = (1 - lambda) * 0.2;
    for (const [n, k] of [[20, 1], [50, 1], [200, 1], [20, 3], [50, 3]]) {
      const rng = createRng(deriveSeed(SEED, `paired-${lambda}-${n}-${k}`));
      const accuracy = new Tally();
      const methods = new Set<string>();
      for (let r = 0; r < BOOT_REPS; r++) {
        const keys: string[] = [];
        const ids: string[] = [];
        const okA: boolean[] = [];
        const okB: boolean[] = [];
        for (let c = 0; c < n; c++) {
          const shared = draw(rng, lambda);
          const together = rng.next() < 0.5;
          for (let j = 0; j < k; j++) {
            const [a, b] = together ? shared : draw(rng, lambda);
            keys.push(`${c}|variant=${j}`);
            ids.push(String(c));
            okA.push(a);
            okB.push(b);
          }
        }
        const c = compareItems(group(keys, okA, k > 1 ? ids : undefined), group(keys, okB, k > 1 ? ids : undefined), { ...SETTINGS, seed: r });
        accuracy.add(c.deltas.accuracy as Estimate, delta);
        methods.add(c.deltas.accuracy.method ?? 'none');
      }
      const cell = `${k > 1 ? `${n} ids × ${k} rows` : `n=${n} pairs`}, Δ ${delta.toFixed(2)}, B copies A with ${lambda}`;
      report('paired delta', cell, 'Δ accuracy', accuracy, [...methods].sort().join(' / '));
    }
  }
}

// ── Paired deltas of the bootstrapped classification metrics: 4 balanced classes; A right with 0.6,
// invalid with 0.05, else a uniform wrong class; B gives A's answer with probability λ, else answers
// on its own the same way but right with 0.7. B is then right with q = 0.6λ + 0.7(1 − λ), invalid with
// 0.05, otherwise uniformly wrong, so Δ macro-F1 = Δ weighted-F1 = 2Δq/(2 − v) and Δ κ = Δq/(1 − (1 − v)/4).
// Pooled: ids × 3 rows (one truth per id), all rows of an id sharing one draw of both answers with
// probability 0.5 (the same margins, so the same truths). Each row also gives the intervals' mean width.
function pairedClassification(): void {
  const v = 0.05;
  const answer = (rng: Rng, t: number, q: number) => { const u = rng.next(); return u < q ? t : u < q + v ? -1 : (t + 1 + rng.int(3)) % 4; };
  for (const lambda of [0.5, 0.9]) {
    const dq = (1 - lambda) * 0.1;
    const truths = { macro_f1: (2 * dq) / (2 - v), weighted_f1: (2 * dq) / (2 - v), kappa: dq / (1 - (1 - v) / 4) };
    const draw = (rng: Rng, t: number): [number, number] => {
      const a = answer(rng, t, 0.6);
      return [a, rng.next() < lambda ? a : answer(rng, t, 0.7)];
    };
    // 2500 pairs over at most 4 × 5 × 5 joint cells are resampled as multinomial counts, fewer pairs item by item.
    for (const [n, k] of [[20, 1], [50, 1], [200, 1], [2500, 1], [20, 3], [50, 3]]) {
      // The seeds of the unpooled cells are those of the cells before pooled ones were added.
      const rng = createRng(deriveSeed(SEED, k > 1 ? `paired-class-${lambda}-${n}-${k}` : `paired-class-${lambda}-${n}`));
      const tallies = Object.fromEntries(Object.keys(truths).map((m) => [m, new Tally()]));
      const methods = new Set<string>();
      for (let r = 0; r < BOOT_REPS; r++) {
        const truth: number[] = [];
        const predA: number[] = [];
        const predB: number[] = [];
        const keys: string[] = [];
        const ids: string[] = [];
        if (k === 1) {
          // Drawn as the unpooled cells always were: the truths, then A's answers, then B's.
          for (let i = 0; i < n; i++) { truth.push(rng.int(4)); keys.push(`i${i}`); }
          for (const t of truth) predA.push(answer(rng, t, 0.6));
          truth.forEach((t, i) => predB.push(rng.next() < lambda ? predA[i] : answer(rng, t, 0.7)));
        } else {
          for (let c = 0; c < n; c++) {
            const t = rng.int(4);
            const shared = draw(rng, t);
            const together = rng.next() < 0.5;
            for (let j = 0; j < k; j++) {
              const [a, b] = together ? shared : draw(rng, t);
              truth.push(t);
              predA.push(a);
              predB.push(b);
              keys.push(`${c}|variant=${j}`);
              ids.push(String(c));
            }
          }
        }
        const group = (pred: number[]): SingleLabelItems =>
          ({ kind: 'classification', keys, ...(k > 1 ? { ids } : {}), labels: ['a', 'b', 'c', 'd'], truth, pred, valence: [], arousal: [] });
        const c = compareItems(group(predA), group(predB), { ...SETTINGS, seed: r });
        for (const [metric, value] of Object.entries(truths)) {
          tallies[metric].add(c.deltas[metric] as Estimate, value);
          methods.add(c.deltas[metric].method ?? 'none');
        }
      }
      const cell = `${k > 1 ? `${n} ids × ${k} rows` : `n=${n} pairs`}, 4 classes, Δq ${dq.toFixed(2)}, B copies A with ${lambda}`;
      for (const metric of Object.keys(truths)) report('paired classification', cell, `Δ ${metric}`, tallies[metric], [...methods].sort().join(' / '), { width: true });
    }
  }
}

const SECTIONS: Record<string, () => void> = { proportions, clustered: clusteredProportions, classification, similarity, va, paired: pairedDeltas, 'paired-classification': pairedClassification };
const chosen = process.argv.slice(4);
const started = process.hrtime.bigint();
for (const [name, run] of Object.entries(SECTIONS)) if (chosen.length === 0 || chosen.includes(name)) run();
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
console.log(`Interval coverage at 95% nominal; seed ${SEED}; ${BOOT_REPS} replications per bootstrap cell (1000 resamples), ${PROP_REPS} per proportion cell; ${seconds.toFixed(0)} s\n`);
console.log('| what | cell | metric | interval | coverage |');
console.log('| --- | --- | --- | --- | ---: |');
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
