/**
 * `vaflow worker` processes for tests of the Redis executor, started from the compiled CLI.
 *
 *   const workers = await startWorkers(2, { redis: redis.url, cwd: dir });
 *   workers.kill(0);           // SIGKILL one mid-run
 *   await workers.stop();      // SIGTERM the others and wait for them
 */
import type { ChildProcess } from 'node:child_process';
import { startCli, waitFor, type CliResult } from './cli.js';

/**
 * The workers' lock unless a test sets one: long, so a loaded machine cannot let a job's lock lapse
 * and run it twice. A test that kills or stops a worker passes a short one (faults.test.ts,
 * lapsed-lock.test.ts make the lapse happen on purpose).
 */
const STEADY_LOCK_MS = 30_000;

export interface WorkerProcess {
  readonly child: ChildProcess;
  readonly done: Promise<CliResult>;
  /** What it printed on stderr so far. */
  output(): string;
}

export interface Workers {
  readonly all: readonly WorkerProcess[];
  /** SIGKILL: no goodbye, its jobs are left to their locks. */
  kill(index: number): Promise<void>;
  /** SIGTERM to every worker still alive; resolves once all have exited, with what they printed. */
  stop(): Promise<CliResult[]>;
}

export async function startWorkers(
  count: number,
  options: { readonly redis: string; readonly cwd: string; readonly env?: Record<string, string>; readonly concurrency?: number; readonly lockMs?: number; readonly args?: readonly string[] },
): Promise<Workers> {
  const all: WorkerProcess[] = [];
  for (let i = 0; i < count; i++) {
    const args = ['worker', '--redis', options.redis, '--concurrency', String(options.concurrency ?? 4), '--lock-ms', String(options.lockMs ?? STEADY_LOCK_MS), ...(options.args ?? [])];
    const { child, done } = startCli(args, { cwd: options.cwd, env: options.env });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    all.push({ child, done, output: () => stderr });
  }
  await waitFor(() => all.every((w) => /taking item jobs/.test(w.output()) || w.child.exitCode !== null), 30_000);
  for (const w of all) if (w.child.exitCode !== null) throw new Error(`a worker exited at start:\n${w.output()}`);
  return {
    all,
    async kill(index) {
      const w = all[index]!;
      w.child.kill('SIGKILL');
      await w.done;
    },
    async stop() {
      for (const w of all) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGTERM');
      return Promise.all(all.map((w) => w.done));
    },
  };
}
