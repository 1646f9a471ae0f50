import type { TaskGraph } from '../graph/types.js';

/**
 * Decides which tasks are ready and which can never run; runs nothing itself.
 * A task is ready when every dependency completed; a failed or skipped dependency skips it.
 */
export class TaskSchedule {
  readonly #graph: TaskGraph;
  readonly #completed = new Set<string>();
  readonly #started = new Set<string>();
  readonly #blocked = new Map<string, string>();

  constructor(graph: TaskGraph, alreadyDone: Iterable<string> = []) {
    this.#graph = graph;
    for (const id of alreadyDone) {
      this.#completed.add(id);
      this.#started.add(id);
    }
  }

  /** Ready tasks not yet handed out, in topological order; marks them started. */
  nextReady(): string[] {
    const ready: string[] = [];
    for (const id of this.#graph.order) {
      if (this.#started.has(id) || this.#blocked.has(id)) continue;
      if (this.#graph.dependencies[id].every((dep) => this.#completed.has(dep))) {
        this.#started.add(id);
        ready.push(id);
      }
    }
    return ready;
  }

  complete(id: string): void {
    this.#completed.add(id);
  }

  /** Marks a task failed: every transitive dependant is blocked; returns dependant id → reason. */
  fail(id: string): Map<string, string> {
    const newlyBlocked = new Map<string, string>();
    const visit = (failed: string, root: string) => {
      for (const candidate of this.#graph.order) {
        if (this.#blocked.has(candidate) || this.#started.has(candidate)) continue;
        if (!this.#graph.dependencies[candidate].includes(failed)) continue;
        const reason = root === failed ? `dependency ${failed} failed` : `dependency ${failed} was skipped (${root} failed)`;
        this.#blocked.set(candidate, reason);
        newlyBlocked.set(candidate, reason);
        visit(candidate, root);
      }
    };
    visit(id, id);
    return newlyBlocked;
  }

  /** True while some task can still start. */
  hasPending(): boolean {
    return this.#graph.order.some((id) => !this.#started.has(id) && !this.#blocked.has(id));
  }
}
