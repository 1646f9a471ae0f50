import type { MissingInput } from '../../src/types/node-kind.js';

/** One line for a fan-in task's input that failed or was skipped: the task, its cause and its counts. */
export function describeMissingInput(missing: MissingInput): string {
  return `${missing.task} ${missing.status}: ${missing.reason} (${missing.items} items, ${missing.errors} errors); its results are not included`;
}
