import type { TaskGraph } from '../types/graph.js';

/**
 * Decides which tasks are ready and which can never run; runs nothing itself.
 *
 * A task is ready when every dependency completed; a failed or skipped dependency skips it. The one
 * exception is a fan-in task (`fanIn` in the graph, e.g. aggregate): it waits until every dependency
 * has ended and then runs on those that completed, so one failed model does not erase the others'
 * results. It is skipped only when none of its dependencies completed.
 */
export class TaskSchedule {
  readonly #graph: TaskGraph;
  readonly #completed = new Set<string>();
  readonly #failed = new Set<string>();
  readonly #started = new Set<string>();
  readonly #blocked = new Map<string, string>();

  constructor(graph: TaskGraph, alreadyDone: Iterable<string> = []) {
    this.#graph = graph;
    for (const id of alreadyDone) {
      this.#completed.add(id);
      this.#started.add(id);
    }
  }

  /** Ready tasks not yet handed out, in topological order, at most `limit` of them; marks them started. */
  nextReady(limit = Infinity): string[] {
    const ready: string[] = [];
    for (const id of this.#graph.order) {
      if (ready.length >= limit) break;
      if (this.#started.has(id) || this.#blocked.has(id)) continue;
      const deps = this.#graph.dependencies[id];
      const runnable = this.#graph.tasks[id].fanIn
        ? deps.every((dep) => this.#ended(dep)) && deps.some((dep) => this.#completed.has(dep))
        : deps.every((dep) => this.#completed.has(dep));
      if (runnable) {
        this.#started.add(id);
        ready.push(id);
      }
    }
    return ready;
  }

  complete(id: string): void {
    this.#completed.add(id);
  }

  /**
   * Marks a task failed and returns the dependants that can now never run (dependant id → reason),
   * transitively: every task that needs it, except fan-in tasks that still have a completed or
   * pending input.
   */
  fail(id: string): Map<string, string> {
    this.#failed.add(id);
    const newlyBlocked = new Map<string, string>();
    const visit = (failed: string, root: string) => {
      for (const candidate of this.#graph.order) {
        if (this.#blocked.has(candidate) || this.#started.has(candidate)) continue;
        const deps = this.#graph.dependencies[candidate];
        if (!deps.includes(failed)) continue;
        if (this.#graph.tasks[candidate].fanIn && !deps.every((dep) => this.#ended(dep) && !this.#completed.has(dep))) continue;
        const reason = this.#graph.tasks[candidate].fanIn
          ? `none of its ${deps.length} input task(s) completed`
          : root === failed ? `dependency ${failed} failed` : `dependency ${failed} was skipped (${root} failed)`;
        this.#blocked.set(candidate, reason);
        newlyBlocked.set(candidate, reason);
        visit(candidate, root);
      }
    };
    visit(id, id);
    return newlyBlocked;
  }

  #ended(id: string): boolean {
    return this.#completed.has(id) || this.#failed.has(id) || this.#blocked.has(id);
  }
}
