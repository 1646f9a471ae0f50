import { quadrantOf, type Quadrant } from '../../src/va/circumplex.js';
import type { Variant } from './params.generated.js';

export type VaFormat = Variant['format'];

/** One VA point written for a prompt: the whole phrase ({{va}}) and each axis ({{valence}}, {{arousal}}). */
export interface VaText {
  readonly va: string;
  readonly valence: string;
  readonly arousal: string;
}

export const DEFAULT_PRECISION = 2;

/**
 * Lexical intensity bins on |x|, the same for both axes and both signs (so the wording is symmetric).
 * Why these edges: on Warriner's 1–9 norms rescaled to [-1, 1], |x| < 0.1 is under half a scale point
 * from the midpoint, well inside the norms' rating spread, so it reads as neutral; the rest of [0.1, 1]
 * is cut into three near-equal bands (0.25, 0.30, 0.35 wide) that put the basic emotions' reference
 * points into different words: happy valence +0.87 "very", surprised +0.39 "moderately", neutral +0.13
 * "slightly". An edge value belongs to the stronger bin (0.35 is "moderately").
 */
export const LEXICAL_BINS: readonly { readonly below: number; readonly word: string }[] = [
  { below: 0.1, word: 'neutral' },
  { below: 0.35, word: 'slightly' },
  { below: 0.65, word: 'moderately' },
  { below: Infinity, word: 'very' },
];

/** Radius around the origin where the circumplex has no direction: the lexical neutral band, as a circle. */
export const NEUTRAL_RADIUS = LEXICAL_BINS[0].below;

const AXIS_WORDS = {
  valence: { negative: 'negative', positive: 'positive' },
  arousal: { negative: 'low', positive: 'high' },
} as const;

/**
 * Quadrant wording after Russell (1980): each quadrant is named by the circumplex terms at its centre
 * (excitement 45°, distress 135°, depression 225°, relaxation 315°).
 */
export const QUADRANT_TEXT: Readonly<Record<Quadrant, VaText>> = {
  'high-positive': { va: 'high arousal and positive valence (excited/elated)', valence: 'positive', arousal: 'high' },
  'high-negative': { va: 'high arousal and negative valence (tense/distressed)', valence: 'negative', arousal: 'high' },
  'low-negative': { va: 'low arousal and negative valence (sad/depressed)', valence: 'negative', arousal: 'low' },
  'low-positive': { va: 'low arousal and positive valence (calm/relaxed)', valence: 'positive', arousal: 'low' },
  neutral: { va: 'valence and arousal near zero (neutral)', valence: 'neutral', arousal: 'neutral' },
};

export interface FormatOptions {
  readonly format: VaFormat;
  /** numeric only. @default 2 */
  readonly precision?: number;
}

/** Writes one (valence, arousal) point in the variant's format. Pure: same input, same text. */
export function formatVa(valence: number, arousal: number, options: FormatOptions): VaText {
  switch (options.format) {
    case 'numeric': {
      const precision = options.precision ?? DEFAULT_PRECISION;
      const v = formatNumber(valence, precision);
      const a = formatNumber(arousal, precision);
      return { va: `valence ${v}, arousal ${a} on a scale from -1 to 1`, valence: v, arousal: a };
    }
    case 'lexical': {
      const v = lexicalAxis(valence, 'valence');
      const a = lexicalAxis(arousal, 'arousal');
      return { va: `${v} valence, ${a} arousal`, valence: v, arousal: a };
    }
    case 'quadrant':
      return QUADRANT_TEXT[quadrantOf(valence, arousal, NEUTRAL_RADIUS)];
  }
}

/** Fixed decimals, never "-0.00": a value that rounds to zero is written without a sign. */
export function formatNumber(value: number, precision: number): string {
  const text = value.toFixed(precision);
  return Number(text) === 0 ? (0).toFixed(precision) : text;
}

/** "slightly negative", "very high", or "neutral" (no direction inside the neutral band). */
export function lexicalAxis(value: number, axis: keyof typeof AXIS_WORDS): string {
  const magnitude = Math.abs(value);
  const bin = LEXICAL_BINS.find((candidate) => magnitude < candidate.below) ?? LEXICAL_BINS[LEXICAL_BINS.length - 1];
  if (bin.word === 'neutral') return 'neutral';
  return `${bin.word} ${value < 0 ? AXIS_WORDS[axis].negative : AXIS_WORDS[axis].positive}`;
}
