import path from 'node:path';
import type { RunInfo, RunLifeCycle } from '../types/run-events.js';
import type { TaskGraph, TaskNode } from '../types/graph.js';
import type { TaskStats } from '../types/task-stats.js';
import type { RunResult } from '../run/run-pipeline.js';
import type { FlowRecord } from '../types/records.js';
import { readJsonl } from '../artifacts/jsonl.js';
import { taskFileName } from '../artifacts/run-folder.js';
import { estimateInputTokens } from '../scheduler/provider-limiter.js';

/** Input records read per task to estimate its prompts' length: prompts of one task are alike. */
const SAMPLE = 2000;

/**
 * While a plan runs, the mean estimated input tokens of each task with a model and items to call,
 * read from its inputs (the prompt records, which a plan computes) before the scratch folder goes.
 */
export class PlanInputsLifeCycle implements RunLifeCycle {
  readonly #meanTokens = new Map<string, number>();
  #runDir = '';
  #graph?: TaskGraph;

  runStart(info: RunInfo): void {
    this.#runDir = info.runDir;
    this.#graph = info.graph;
  }

  async taskEnd(task: TaskNode, stats: TaskStats): Promise<void> {
    if (stats.pending === 0 || !task.coords.model || !this.#graph) return;
    let tokens = 0;
    let prompts = 0;
    for (const dep of this.#graph.dependencies[task.id] ?? []) {
      const file = path.join(this.#runDir, 'tasks', `${taskFileName(dep)}.jsonl`);
      try {
        for await (const record of readJsonl<FlowRecord>(file)) {
          const messages = Array.isArray(record.messages) ? (record.messages as { content?: unknown }[]) : undefined;
          if (messages?.every((m) => typeof m?.content === 'string')) {
            tokens += estimateInputTokens(messages as { content: string }[]);
            prompts++;
          }
          if (prompts >= SAMPLE) break;
        }
      } catch {
        // An upstream task that published nothing: no estimate for this task.
      }
    }
    if (prompts > 0) this.#meanTokens.set(task.id, tokens / prompts);
  }

  meanInputTokens(taskId: string): number | undefined {
    return this.#meanTokens.get(taskId);
  }
}

export interface ModelEstimate {
  readonly model: string;
  /** Calls the plan could not serve from the cache (items × repeats: at most). */
  readonly calls: number;
  /** ≈ 4 characters a token, from the prompts the plan built; undefined when the inputs carry no messages. */
  readonly inputTokens?: number;
  /** calls × maxTokens: a bound, when the model sets maxTokens. */
  readonly maxOutputTokens?: number;
  /** From the model's price: input estimate plus output bound (output unknown without maxTokens). */
  readonly cost?: number;
  /** Whether `cost` leaves out the output tokens (no maxTokens to bound them). */
  readonly costWithoutOutput?: boolean;
}

/** Per chat model: the calls a run would make and what they would cost, from the price table (`models.<id>.price`). */
export function estimateModels(result: RunResult, inputs: PlanInputsLifeCycle): ModelEstimate[] {
  const byModel = new Map<string, { calls: number; inputTokens?: number }>();
  for (const id of result.graph.order) {
    const task = result.graph.tasks[id];
    const stats = result.tasks[id];
    const modelId = task.coords.model;
    const entry = modelId ? result.pipeline.spec.models?.[modelId] : undefined;
    if (!modelId || !entry || entry.provider === 'circumplex' || !stats || stats.pending === 0) continue;
    const kind = result.pipeline.kinds.get(task.nodeId);
    const repeats = Math.max(1, kind?.mode === 'item' ? kind.repeats?.(task.params) ?? 1 : 1);
    const calls = stats.pending * repeats;
    const mean = inputs.meanInputTokens(id);
    const sum = byModel.get(modelId) ?? { calls: 0, inputTokens: 0 };
    sum.calls += calls;
    sum.inputTokens = mean === undefined || sum.inputTokens === undefined ? undefined : sum.inputTokens + Math.round(mean * calls);
    byModel.set(modelId, sum);
  }
  return [...byModel].map(([model, { calls, inputTokens }]) => {
    const entry = result.pipeline.spec.models?.[model];
    const maxOutputTokens = entry?.maxTokens !== undefined ? calls * entry.maxTokens : undefined;
    const price = entry?.price;
    const priced = price && inputTokens !== undefined && (price.inputPerMTok !== undefined || price.outputPerMTok !== undefined);
    const cost = priced ? (inputTokens * (price.inputPerMTok ?? 0) + (maxOutputTokens ?? 0) * (price.outputPerMTok ?? 0)) / 1_000_000 : undefined;
    return {
      model, calls,
      ...(inputTokens !== undefined ? { inputTokens } : {}),
      ...(maxOutputTokens !== undefined ? { maxOutputTokens } : {}),
      ...(cost !== undefined ? { cost, ...(maxOutputTokens === undefined && price?.outputPerMTok ? { costWithoutOutput: true } : {}) } : {}),
    };
  });
}

function number(n: number): string {
  return n.toLocaleString('en-US');
}

function money(n: number): string {
  return n >= 1 ? n.toFixed(2) : n.toPrecision(2);
}

/** The plan's closing lines: models left out and why; what the calls to make would cost. */
export function formatPlanNotes(result: RunResult, estimates: readonly ModelEstimate[]): string {
  const lines: string[] = [];
  if (result.notices.length > 0) {
    lines.push('models left out:');
    const width = Math.max(...result.notices.map((notice) => notice.model.length));
    for (const notice of result.notices) lines.push(`  ${notice.model.padEnd(width)}  ${notice.reason}`);
  }
  if (estimates.length > 0) {
    lines.push('calls to make, per model (input ≈ 4 characters a token; output at most maxTokens a call; cost: both at models.<id>.price):');
    const table = [['model', 'calls', 'input tokens', 'output tokens', 'cost']];
    for (const e of estimates) {
      const cost = e.cost === undefined ? 'no price' : `≈${money(e.cost)}${e.costWithoutOutput ? ' + output' : ''}`;
      table.push([e.model, number(e.calls), e.inputTokens === undefined ? '?' : `≈${number(e.inputTokens)}`, e.maxOutputTokens === undefined ? '? (no maxTokens)' : `≤${number(e.maxOutputTokens)}`, cost]);
    }
    const widths = table[0].map((_, i) => Math.max(...table.map((row) => row[i].length)));
    for (const row of table) lines.push('  ' + row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  '));
  }
  return lines.length ? lines.join('\n') + '\n' : '';
}
