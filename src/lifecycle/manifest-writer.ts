import type { LogInfo, RunEndInfo, RunLifeCycle } from '../types/run-events.js';
import type { RunStatus } from '../types/task-stats.js';
import type { TaskNode } from '../types/graph.js';
import type { TaskStats } from '../types/task-stats.js';
import { totalsOf, type Manifest } from '../artifacts/manifest.js';
import { writeJsonAtomic } from '../artifacts/atomic-write.js';
import { ANSWER_READER_VERSION } from '../labels/reader-version.js';
import { redactJson } from '../util/redact.js';

/**
 * Keeps manifest.json current: rewritten atomically at the start, after every task, and at the end.
 * Warnings logged during the run are kept in `notices`, each message once (also across resumes).
 */
export class ManifestLifeCycle implements RunLifeCycle {
  constructor(
    private readonly file: string,
    readonly manifest: Manifest,
    private readonly now: () => string = () => new Date().toISOString(),
  ) {}

  async runStart(): Promise<void> {
    this.manifest.answerReader = ANSWER_READER_VERSION;
    await writeJsonAtomic(this.file, redactJson(this.manifest));
  }

  /** Written with the next task's end (or the run's), never on this hot path. */
  log(event: LogInfo): void {
    if (event.level !== 'warn') return;
    const notices = (this.manifest.notices ??= []);
    if (notices.some((n) => n.message === event.message)) return;
    notices.push({
      message: event.message,
      ...(event.task ? { task: event.task } : {}),
      ...(typeof event.model === 'string' ? { model: event.model } : {}),
    });
  }

  async taskEnd(task: TaskNode, stats: TaskStats): Promise<void> {
    this.manifest.tasks[task.id] = stats;
    this.manifest.totals = totalsOf(this.manifest.tasks);
    await writeJsonAtomic(this.file, redactJson(this.manifest));
  }

  async runEnd(status: RunStatus, info?: RunEndInfo): Promise<void> {
    this.manifest.status = status;
    if (info?.failure) this.manifest.failure = info.failure;
    else delete this.manifest.failure;
    this.manifest.endedAt = this.now();
    this.manifest.totals = totalsOf(this.manifest.tasks);
    await writeJsonAtomic(this.file, redactJson(this.manifest));
  }
}
