import type { VaPoint } from '../types/generated/pipeline.js';

/** A closed set of emotion labels, with reference (valence, arousal) points for the circumplex baseline. */
export interface LabelSet {
  readonly name: string;
  readonly labels: readonly string[];
  /** Emotic-style sets allow several labels per item. */
  readonly multiLabel: boolean;
  /** Reference points by label, in [-1, 1]²; see `source`. */
  readonly points: Readonly<Record<string, VaPoint>>;
  /** Where the points come from, for reports and papers. */
  readonly source: string;
}

/**
 * Warriner, Kuperman & Brysbaert (2013) norms for the label word (or its adjective), 1–9 rescaled
 * as (x − 5) / 4, as listed in DESIGN.md.
 */
const basic7: LabelSet = {
  name: 'basic7',
  labels: ['happiness', 'sadness', 'anger', 'fear', 'surprise', 'disgust', 'neutral'],
  multiLabel: false,
  points: {
    happiness: [0.87, 0.26],
    sadness: [-0.73, -0.38],
    anger: [-0.62, 0.3],
    fear: [-0.69, 0.03],
    surprise: [0.39, 0.24],
    disgust: [-0.58, -0.03],
    neutral: [0.13, -0.39],
  },
  source: 'Warriner, Kuperman & Brysbaert (2013), rescaled (x-5)/4: happy, sad, angry, afraid, surprised, disgusted, neutral',
};

export const EMOTIC_CATEGORIES = [
  'peace', 'affection', 'esteem', 'anticipation', 'engagement', 'confidence', 'happiness', 'pleasure',
  'excitement', 'surprise', 'sympathy', 'doubt/confusion', 'disconnection', 'fatigue', 'embarrassment',
  'yearning', 'disapproval', 'aversion', 'annoyance', 'anger', 'sensitivity', 'sadness', 'disquietment',
  'fear', 'pain', 'suffering',
] as const;

export const BUILTIN_LABEL_SETS: Readonly<Record<string, LabelSet>> = { basic7 };

export function isBuiltinLabelSet(name: string): boolean {
  return Object.hasOwn(BUILTIN_LABEL_SETS, name);
}

export function getLabelSet(name: string): LabelSet | undefined {
  return BUILTIN_LABEL_SETS[name];
}

/** A `labels:` value from YAML: a built-in name or an inline set (see schemas/defs.schema.json#/$defs/labelSetRef). */
export type LabelSetRef =
  | string
  | { name: string; labels: string[]; multiLabel?: boolean; points?: Record<string, VaPoint>; synonyms?: Record<string, string>; source?: string };

/** Resolves a `labels:` value; undefined for an unknown built-in name (the spec check reports it). */
export function resolveLabelSet(ref: LabelSetRef): LabelSet | undefined {
  if (typeof ref === 'string') return getLabelSet(ref);
  return { name: ref.name, labels: ref.labels, multiLabel: ref.multiLabel ?? false, points: ref.points ?? {}, source: ref.source ?? 'defined in the pipeline' };
}
