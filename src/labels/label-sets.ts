import path from 'node:path';
import { readFileSync } from 'node:fs';
import type { VaPoint } from '../types/generated/pipeline.js';
import { packageRoot } from '../util/paths.js';
import { ConfigError } from '../errors.js';
import { BASIC7_SYNONYMS, EMOTIC26_SYNONYMS } from './synonyms.js';

/** A closed set of emotion labels, with reference (valence, arousal) points for the circumplex baseline. */
export interface LabelSet {
  readonly name: string;
  readonly labels: readonly string[];
  /** Emotic-style sets allow several labels per item. */
  readonly multiLabel: boolean;
  /** Reference points by label, in [-1, 1]²; see `source`. May be empty (then the circumplex baseline cannot use the set). */
  readonly points: Readonly<Record<string, VaPoint>>;
  /** Where the points come from, for reports and papers. */
  readonly source: string;
  /** Answer words or phrases (lower case) mapped to a label of the set (joy → happiness). Labels map to themselves implicitly. */
  readonly synonyms: Readonly<Record<string, string>>;
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
  synonyms: BASIC7_SYNONYMS,
};

export const EMOTIC_CATEGORIES = [
  'peace', 'affection', 'esteem', 'anticipation', 'engagement', 'confidence', 'happiness', 'pleasure',
  'excitement', 'surprise', 'sympathy', 'doubt/confusion', 'disconnection', 'fatigue', 'embarrassment',
  'yearning', 'disapproval', 'aversion', 'annoyance', 'anger', 'sensitivity', 'sadness', 'disquietment',
  'fear', 'pain', 'suffering',
] as const;

/** Published-norm reference points for emotic26, written by the data pipeline (columns label,valence,arousal,source). */
export const EMOTIC26_POINTS_FILE = path.join('data', 'label-points', 'emotic26.csv');

let emotic26: LabelSet | undefined;

/** Built lazily: its points are read (synchronously, once) from EMOTIC26_POINTS_FILE when present. */
function getEmotic26(): LabelSet {
  if (!emotic26) {
    const { points, source } = readPointsFile(path.join(packageRoot, EMOTIC26_POINTS_FILE), EMOTIC_CATEGORIES);
    emotic26 = {
      name: 'emotic26',
      labels: EMOTIC_CATEGORIES,
      multiLabel: true,
      points,
      source: source ?? `no reference points: ${EMOTIC26_POINTS_FILE} is absent`,
      synonyms: EMOTIC26_SYNONYMS,
    };
  }
  return emotic26;
}

/**
 * Reads a label,valence,arousal,source CSV (header row, values in [-1, 1]). A missing file gives
 * no points; an unreadable or malformed one is a ConfigError naming the file (and the line).
 */
export function readPointsFile(file: string, labels: readonly string[]): { points: Record<string, VaPoint>; source?: string } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    // readFileSync throws only Node's system errors, which carry a code.
    const { code, message } = error as NodeJS.ErrnoException;
    if (code === 'ENOENT') return { points: {} };
    throw new ConfigError(`${file}: cannot read the label points file: ${message}`);
  }
  const rows = text.split(/\r?\n/).map((line, index) => ({ cells: splitCsvLine(line), line: index + 1 })).filter((r) => r.cells.some((c) => c !== ''));
  const header = rows.shift()?.cells.map((c) => c.trim().toLowerCase()) ?? [];
  const col = (name: string): number => {
    const at = header.indexOf(name);
    if (at < 0) throw new ConfigError(`${file}:1: expected a header with columns label,valence,arousal,source; "${name}" is missing`);
    return at;
  };
  const [labelCol, valenceCol, arousalCol] = [col('label'), col('valence'), col('arousal')];
  const sourceCol = header.indexOf('source');
  const points: Record<string, VaPoint> = {};
  const sources = new Set<string>();
  const canonical = canonicalLabels(labels);
  for (const { cells, line } of rows) {
    const labelCell = cells[labelCol] ?? '';
    const label = canonical(labelCell);
    const valence = Number(cells[valenceCol]);
    const arousal = Number(cells[arousalCol]);
    if (label === undefined) throw new ConfigError(`${file}:${line}: "${labelCell}" is not a label of the set (${labels.join(', ')})`);
    if (!inUnitRange(valence) || !inUnitRange(arousal)) {
      throw new ConfigError(`${file}:${line}: valence and arousal must be numbers in [-1, 1], got "${cells[valenceCol] ?? ''}", "${cells[arousalCol] ?? ''}"`);
    }
    points[label] = [valence, arousal];
    const source = sourceCol >= 0 ? cells[sourceCol]?.trim() : undefined;
    if (source) sources.add(source);
  }
  return { points, source: sources.size ? [...sources].join('; ') : `${path.basename(file)}` };
}

function inUnitRange(x: number): boolean {
  return Number.isFinite(x) && x >= -1 && x <= 1;
}

/** One CSV line, with double-quoted cells ("" inside quotes is a quote). */
function splitCsvLine(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') { cell += '"'; i++; } else if (ch === '"') quoted = false; else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { cells.push(cell); cell = ''; } else cell += ch;
  }
  cells.push(cell);
  return cells;
}

const BUILTIN_FACTORIES: Readonly<Record<string, () => LabelSet>> = { basic7: () => basic7, emotic26: getEmotic26 };

/** Built-in sets by name. emotic26's points are read on first access. */
export const BUILTIN_LABEL_SETS: Readonly<Record<string, LabelSet>> = Object.defineProperties({}, Object.fromEntries(
  Object.entries(BUILTIN_FACTORIES).map(([name, make]) => [name, { enumerable: true, get: make }]),
));

export function isBuiltinLabelSet(name: string): boolean {
  return Object.hasOwn(BUILTIN_FACTORIES, name);
}

export function getLabelSet(name: string): LabelSet | undefined {
  return isBuiltinLabelSet(name) ? BUILTIN_FACTORIES[name]!() : undefined;
}

/** A `labels:` value from YAML: a built-in name or an inline set (see schemas/defs.schema.json#/$defs/labelSetRef). */
export type LabelSetRef =
  | string
  | { name: string; labels: string[]; multiLabel?: boolean; points?: Record<string, VaPoint>; synonyms?: Record<string, string>; source?: string };

/**
 * Resolves a `labels:` value; undefined for an unknown built-in name (the spec check reports it).
 * An inline set named like a built-in one extends it: its labels replace the built-in labels, its
 * points and synonyms are added on top (so `{ name: basic7, labels: [...], synonyms: { content: happiness } }`
 * keeps Warriner's points and the built-in synonyms).
 */
export function resolveLabelSet(ref: LabelSetRef): LabelSet | undefined {
  if (typeof ref === 'string') return getLabelSet(ref);
  const base = getLabelSet(ref.name);
  const canonical = canonicalLabels(ref.labels);
  const points: Record<string, VaPoint> = {};
  for (const [label, point] of Object.entries({ ...base?.points, ...ref.points })) {
    const name = canonical(label);
    if (name !== undefined) points[name] = point;
  }
  const synonyms: Record<string, string> = {};
  for (const [word, label] of Object.entries({ ...base?.synonyms, ...ref.synonyms })) {
    const name = canonical(label);
    if (name !== undefined) synonyms[word.trim().toLowerCase()] = name;
  }
  return {
    name: ref.name,
    labels: ref.labels,
    multiLabel: ref.multiLabel ?? base?.multiLabel ?? false,
    points,
    source: ref.source ?? (ref.points || !base ? 'defined in the pipeline' : base.source),
    synonyms,
  };
}

/** Case-insensitive lookup of a label's spelling in the set; undefined when it is not a label. */
function canonicalLabels(labels: readonly string[]): (label: string) => string | undefined {
  const byLower = new Map(labels.map((l) => [l.trim().toLowerCase(), l]));
  return (label) => byLower.get(label.trim().toLowerCase());
}

/** Problems with an inline set: synonyms or points naming labels the set does not have. Paths are relative to the ref. */
export function labelSetIssues(ref: LabelSetRef): { path: string[]; message: string }[] {
  if (typeof ref === 'string') {
    return isBuiltinLabelSet(ref) ? [] : [{ path: [], message: `unknown label set "${ref}" (built in: ${Object.keys(BUILTIN_FACTORIES).join(', ')}; or define one inline)` }];
  }
  const canonical = canonicalLabels(ref.labels);
  const issues: { path: string[]; message: string }[] = [];
  for (const [word, label] of Object.entries(ref.synonyms ?? {})) {
    if (canonical(label) === undefined) issues.push({ path: ['synonyms', word], message: `maps to "${label}", which is not one of the labels` });
  }
  for (const label of Object.keys(ref.points ?? {})) {
    if (canonical(label) === undefined) issues.push({ path: ['points', label], message: `"${label}" is not one of the labels` });
  }
  return issues;
}
