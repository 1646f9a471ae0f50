import type { RecordGrouping } from '../stats/record-grouping.js';
import type { FlowRecord } from '../types/records.js';
import { ExplorerWords } from './explorer-data.js';
import { predictionFactors, predictionRow, type PredictionLine } from './predictions-csv.js';
import type { UpstreamTask } from './run-artifacts.js';

/**
 * Past this many rows, predictions.csv is streamed from the task files as before (one task's rows
 * held at a time) rather than held from aggregate's pass: memory stays flat in item count.
 */
export const MAX_HELD_PREDICTION_ROWS = 200_000;

/** What the report needs of the upstream records, gathered in aggregate's own pass over them. */
export interface GatheredRecords {
  readonly words: ExplorerWords;
  /** predictions.csv rows by task id; null when there were too many to hold (the report reads the files). */
  readonly rows: ReadonlyMap<string, PredictionLine[]> | null;
}

/**
 * Gathers the item explorer's words and predictions.csv's rows while aggregate reads its input
 * records, so the report does not read and parse the same task files twice more. A record is placed
 * in its task by node and the task's coordinates; if one cannot be placed (no upstream task has
 * them, or one node's tasks differ in axes), or a task's file gave aggregate no record (the report
 * reads every file there is), `finish` returns undefined and the report reads the files as
 * `vaflow report` does. Either way the report is the same bytes.
 */
export class RecordGatherer {
  readonly #words = new ExplorerWords();
  readonly #factors: string[];
  /** Per node: its tasks' axes (one list: the tasks of a node share their axes), and the tasks by coordinate values. */
  readonly #nodes = new Map<string, { axes: string[]; tasks: Map<string, UpstreamTask> }>();
  #rows: Map<string, PredictionLine[]> | null = new Map();
  /** Tasks with a records file that no input record came from yet. */
  readonly #unseen = new Set<string>();
  #held = 0;
  #placed = true;
  /** The task of the last record placed, with its node and coordinate values. */
  #last?: { readonly node: string; readonly axes: readonly string[]; readonly values: readonly string[]; readonly task: UpstreamTask };

  readonly #maxRows: number;

  constructor(tasks: readonly UpstreamTask[], options: { readonly maxRows?: number } = {}) {
    this.#maxRows = options.maxRows ?? MAX_HELD_PREDICTION_ROWS;
    this.#factors = predictionFactors(tasks);
    for (const task of tasks) {
      if (!task.file) continue;
      const axes = Object.keys(task.coords).sort();
      let node = this.#nodes.get(task.node);
      if (!node) this.#nodes.set(task.node, (node = { axes, tasks: new Map() }));
      if (node.axes.join('\u0000') !== axes.join('\u0000')) this.#placed = false;
      node.tasks.set(axes.map((a) => task.coords[a]).join('\u0000'), task);
      this.#unseen.add(task.taskId);
    }
  }

  /** One input record, with its aggregate grouping (null: aggregate does not read it; it is still a row of predictions.csv). */
  add(record: FlowRecord, grouping: RecordGrouping | null): void {
    if (!this.#placed) return;
    const task = this.#taskOf(record);
    if (!task) {
      this.#placed = false;
      return;
    }
    this.#unseen.delete(task.taskId);
    if (grouping) this.#words.add(record, grouping);
    if (!this.#rows) return;
    if (++this.#held > this.#maxRows) {
      this.#rows = null;
      return;
    }
    let lines = this.#rows.get(task.taskId);
    if (!lines) this.#rows.set(task.taskId, (lines = []));
    lines.push({ id: String(record.id), line: predictionRow(task, record, this.#factors) });
  }

  /** The upstream task a record came from: the last record's when it has the same node and task coordinates (records come task by task). */
  #taskOf(record: FlowRecord): UpstreamTask | undefined {
    const last = this.#last;
    const coords = record.coords ?? {};
    if (last && last.node === record.node && last.axes.every((a, i) => coords[a] === last.values[i])) return last.task;
    const node = this.#nodes.get(record.node);
    if (!node || !node.axes.every((a) => typeof coords[a] === 'string')) return undefined;
    const values = node.axes.map((a) => coords[a]);
    const task = node.tasks.get(values.join('\u0000'));
    if (task) this.#last = { node: record.node, axes: node.axes, values, task };
    return task;
  }

  /** Undefined when some record could not be placed, or some task's file gave aggregate no record (the report then reads every file). */
  finish(): GatheredRecords | undefined {
    return this.#placed && this.#unseen.size === 0 ? { words: this.#words, rows: this.#rows } : undefined;
  }
}
