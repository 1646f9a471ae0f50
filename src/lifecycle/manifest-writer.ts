import type { RunEndInfo, RunLifeCycle, RunStatus } from './life-cycle.js';
import type { TaskNode } from '../graph/types.js';
import type { TaskStats } from '../scheduler/task-stats.js';
import { totalsOf, type Manifest } from '../artifacts/manifest.js';
import { writeJsonAtomic } from '../artifacts/atomic-write.js';

/** Keeps manifest.json current: rewritten atomically at the start, after every task, and at the end. */
export class ManifestLifeCycle implements RunLifeCycle {
  constructor(
    private readonly file: string,
    readonly manifest: Manifest,
    private readonly now: () => string = () => new Date().toISOString(),
  ) {}

  async runStart(): Promise<void> {
    await writeJsonAtomic(this.file, this.manifest);
  }

  async taskEnd(task: TaskNode, stats: TaskStats): Promise<void> {
    this.manifest.tasks[task.id] = stats;
    this.manifest.totals = totalsOf(this.manifest.tasks);
    await writeJsonAtomic(this.file, this.manifest);
  }

  async runEnd(status: RunStatus, info?: RunEndInfo): Promise<void> {
    this.manifest.status = status;
    if (info?.failure) this.manifest.failure = info.failure;
    else delete this.manifest.failure;
    this.manifest.endedAt = this.now();
    this.manifest.totals = totalsOf(this.manifest.tasks);
    await writeJsonAtomic(this.file, this.manifest);
  }
}
