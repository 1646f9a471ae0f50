import kind from '../../../nodes/aggregate/index.js';
import type { AggregateParams } from '../../../nodes/aggregate/params.generated.js';
import type { FlowRecord } from '../../../src/types/records.js';
import { createRng } from '../../../src/stats/prng.js';
import { taskContext } from '../../helpers/kind-context.js';

/**
 * Synthetic upstream records for aggregate tests: classification over basic7 for two models × two
 * prompt variants (the same items in each), description similarity under two embedders, and VA
 * records with annotations. Deterministic: the answers come from a seeded PRNG.
 */
const LABELS = ['happiness', 'sadness', 'anger', 'fear', 'surprise', 'disgust', 'neutral'];
const POINTS: Record<string, [number, number]> = {
  happiness: [0.87, 0.26], sadness: [-0.73, -0.38], anger: [-0.62, 0.3], fear: [-0.69, 0.03],
  surprise: [0.39, 0.24], disgust: [-0.58, -0.03], neutral: [0.13, -0.39],
};

export interface FixtureOptions {
  readonly items?: number;
  /** Chance of a right answer per model (index 0, 1). */
  readonly skill?: readonly [number, number];
  readonly seed?: number;
}

export function classificationRecords(options: FixtureOptions = {}): FlowRecord[] {
  const n = options.items ?? 42;
  const skill = options.skill ?? [0.8, 0.5];
  const rng = createRng(options.seed ?? 1);
  const out: FlowRecord[] = [];
  const models = ['gpt4o-mini', 'llama32'];
  for (const [m, model] of models.entries()) {
    for (const variant of ['numeric', 'lexical']) {
      for (let i = 0; i < n; i++) {
        const truth = LABELS[i % LABELS.length];
        const [v, a] = POINTS[truth];
        const roll = rng.next();
        const right = roll < skill[m] + (variant === 'lexical' ? 0.1 : 0);
        const invalid = !right && roll > 0.95;
        const prediction = invalid ? null : right ? truth : LABELS[(i + 1 + Math.floor(rng.next() * 5)) % LABELS.length];
        out.push({
          id: `face${String(i).padStart(3, '0')}`,
          coords: { variant, model },
          node: 'classify',
          valence: v + (rng.next() - 0.5) * 0.3,
          arousal: a + (rng.next() - 0.5) * 0.3,
          label: truth === 'happiness' ? 'Happiness' : truth,
          prediction,
          answer: prediction ?? 'I cannot tell',
          valid: !invalid,
          labelSet: 'basic7',
        });
      }
    }
  }
  return out;
}

export function similarityRecords(options: FixtureOptions = {}): FlowRecord[] {
  const n = options.items ?? 42;
  const rng = createRng((options.seed ?? 1) + 100);
  const out: FlowRecord[] = [];
  for (const embedder of ['glove', 'use']) {
    for (const model of ['gpt4o-mini', 'llama32']) {
      for (let i = 0; i < n; i++) {
        const rating = 1 + (i % 5);
        const raw = i === 3 && embedder === 'glove' ? null : 0.4 + rating * 0.08 + (rng.next() - 0.5) * 0.2 + (model === 'llama32' ? -0.05 : 0);
        out.push({
          id: `face${String(i).padStart(3, '0')}`,
          coords: { variant: 'lexical', model, embedder },
          node: 'scores',
          text: 'a calm, content face',
          humanRating: rating,
          similarity: raw === null
            ? { raw: null, reason: 'all words out of vocabulary', nullMean: 0.3, nullStd: 0.1, z: null, percentile: null }
            : { raw, nullMean: 0.3, nullStd: 0.1, z: (raw - 0.3) / 0.1, percentile: Math.min(1, raw) },
        });
      }
    }
  }
  return out;
}

export function vaRecords(options: FixtureOptions = {}): FlowRecord[] {
  const n = options.items ?? 42;
  const rng = createRng((options.seed ?? 1) + 200);
  return Array.from({ length: n }, (_, i) => {
    const v = rng.next() * 2 - 1;
    const a = rng.next() * 2 - 1;
    return {
      id: `face${String(i).padStart(3, '0')}`,
      coords: { vaSource: 'facechannel' },
      node: 'faces',
      valence: v,
      arousal: a,
      vaSource: 'facechannel',
      annotated: { valence: v * 0.8 + (rng.next() - 0.5) * 0.2, arousal: a * 0.6 + 0.1 },
    };
  });
}

export async function* stream(records: readonly FlowRecord[]): AsyncIterable<FlowRecord> {
  for (const r of records) yield r;
}

export function allRecords(options: FixtureOptions = {}): FlowRecord[] {
  return [...classificationRecords(options), ...similarityRecords(options), ...vaRecords(options)];
}

/** Runs the real aggregate kind over `records` into `runDir`; returns the records it yields and its context. */
export async function runAggregate(records: readonly FlowRecord[], params: AggregateParams, options: { runDir: string; seed?: number; nodes?: string[] }) {
  const nodes = Object.fromEntries((options.nodes ?? ['scores']).map((id) => [id, { kind: 'aggregate' }]));
  const ctx = taskContext<AggregateParams>({ params, runDir: options.runDir, seed: options.seed ?? 42, nodeId: 'metrics', spec: { version: 1, name: 'test', nodes } });
  const out: FlowRecord[] = [];
  for await (const r of kind.batch(() => stream(records), ctx)) out.push(r);
  return { out, ctx };
}

/** The records in a seeded random order (Fisher–Yates). */
export function shuffled<T>(records: readonly T[], seed: number): T[] {
  const rng = createRng(seed);
  const out = [...records];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
