import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { readJsonl } from '../artifacts/jsonl.js';
import { labelList } from '../stats/record-grouping.js';
import { compareText } from '../stats/stable-order.js';
import type { FlowRecord } from '../types/records.js';
import { csvCell } from './rows.js';
import type { UpstreamTask } from './run-artifacts.js';

/**
 * predictions.csv: one row per record an aggregate node read (an item at one combination of
 * coordinates), every factor its own column — for pandas, R or a spreadsheet. Streamed from the
 * task files (tasks/*.jsonl), task by task in plan order; within a task the rows are sorted by item
 * id (then content), so the file does not depend on completion order. Only one task's rows are held,
 * as text, at a time. Written to a temp file and renamed into place.
 *
 * Columns: node, task, id, one per factor (sorted by name), valence, arousal, truth, prediction
 * (labels joined by `|` for multi-label), valid, correct (valid and the prediction's label set equals
 * the truth's, compared trimmed and lower-cased: the metrics' definition), invalid_reason, answer,
 * description, reference, similarity_raw, similarity_z, similarity_percentile, similarity_null_mean.
 */
const FIXED = ['valence', 'arousal', 'truth', 'prediction', 'valid', 'correct', 'invalid_reason', 'answer', 'description', 'reference', 'similarity_raw', 'similarity_z', 'similarity_percentile', 'similarity_null_mean'];

/** Rows are written to the file in pieces of about this many characters. */
const WRITE_CHUNK = 1 << 16;

function labels(value: unknown): string | null {
  if (Array.isArray(value)) return value.filter((v) => typeof v === 'string').join('|');
  return typeof value === 'string' ? value : null;
}

function isCorrect(record: FlowRecord): boolean | null {
  if (!('prediction' in record || 'valid' in record)) return null;
  const truth = labelList(record.label);
  const pred = record.valid === false || record.prediction === null ? null : labelList(record.prediction);
  if (!truth || truth.length === 0) return null;
  if (!pred || (pred.length === 0 && !Array.isArray(record.prediction))) return false;
  return pred.length === truth.length && truth.every((t) => pred.includes(t));
}

function score(record: FlowRecord, field: string): unknown {
  const s = record.similarity;
  return typeof s === 'object' && s !== null ? (s as Record<string, unknown>)[field] : undefined;
}

/** A cell of any value: strings as csvCell quotes them, numbers and booleans as written (they hold no quote, comma or newline), anything else empty. */
function cell(value: unknown): string {
  if (typeof value === 'string') return csvCell(value);
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : '';
}

/** One record's row; `factors`: `predictionFactors(tasks)`. Joined from its cells (a flat string: aggregate holds one per record until the file is written). */
export function predictionRow(task: UpstreamTask, record: FlowRecord, factors: readonly string[]): string {
  const coords = record.coords ?? {};
  const cells = [cell(task.node), cell(task.taskId), cell(record.id)];
  for (const f of factors) cells.push(cell(coords[f]));
  cells.push(
    cell(record.valence), cell(record.arousal),
    cell(labels(record.label)),
    cell('prediction' in record ? labels(record.prediction) : null),
    cell(typeof record.valid === 'boolean' ? record.valid : null),
    cell(isCorrect(record)),
    cell(record.invalidReason), cell(record.answer), cell(record.text), cell(record.reference),
    cell(score(record, 'raw')), cell(score(record, 'z')), cell(score(record, 'percentile')), cell(score(record, 'nullMean')),
  );
  return cells.join(',');
}

/** The factor columns: every coordinate axis of the tasks, sorted by name. */
export function predictionFactors(tasks: readonly UpstreamTask[]): string[] {
  return [...new Set(tasks.flatMap((t) => Object.keys(t.coords)))].sort(compareText);
}

/** A task's rows, in any order (they are sorted here), with the record id each row is sorted by. */
export interface PredictionLine {
  readonly id: string;
  readonly line: string;
}

/**
 * Writes `file` from the upstream tasks' records; returns the number of rows. `given` holds the rows
 * of tasks whose records were read already (by aggregate, `predictionRow`); the others are read
 * from their files.
 */
export async function writePredictionsCsv(file: string, tasks: readonly UpstreamTask[], given?: ReadonlyMap<string, PredictionLine[]>): Promise<number> {
  const factors = predictionFactors(tasks);
  const temp = `${file}.${process.pid}.tmp`;
  const out = createWriteStream(temp);
  // Rows are gathered into ~64 KiB pieces: a stream write (and an await) per row cost more than the row.
  let pending = '';
  const flush = async () => {
    const piece = pending;
    pending = '';
    if (piece && !out.write(piece)) await once(out, 'drain');
  };
  let count = 0;
  try {
    pending = ['node', 'task', 'id', ...factors, ...FIXED].join(',') + '\n';
    for (const task of tasks) {
      if (!task.file) continue;
      let lines = given?.get(task.taskId);
      if (!lines) {
        lines = [];
        for await (const record of readJsonl<FlowRecord>(task.file)) lines.push({ id: String(record.id), line: predictionRow(task, record, factors) });
      }
      lines.sort((a, b) => compareText(a.id, b.id) || compareText(a.line, b.line));
      for (const { line } of lines) {
        pending += line + '\n';
        if (pending.length >= WRITE_CHUNK) await flush();
      }
      count += lines.length;
    }
    await flush();
    await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
    await rename(temp, file);
  } catch (error) {
    out.destroy();
    await rm(temp, { force: true });
    throw error;
  }
  return count;
}
