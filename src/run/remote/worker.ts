import os from 'node:os';
import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { KindLogEvent } from '../../types/node-kind.js';
import type { ChatResponse } from '../../types/providers.js';
import { registerSecrets, isSecretName } from '../../util/redact.js';
import { vaflowVersion } from '../../util/paths.js';
import { callItemKind } from '../../scheduler/item-call.js';
import { DEFAULT_RETRY_POLICY } from '../../scheduler/retry.js';
import { describeItemError } from '../../scheduler/item-errors.js';
import { emptyTally } from '../../scheduler/chat-calls.js';
import { ChatExchangeClient } from './chat-exchange.js';
import { WorkerChatCalls } from './worker-chat-calls.js';
import { RunningExecutions, executionId } from './executions.js';
import { ContextReader } from './task-contexts.js';
import { RedisRetryBudget } from './retry-budget.js';
import { WorkerContexts, withWorker, type PreparedTask } from './worker-context.js';
import { connectRedis, redisProblem, type RedisUrl } from './redis-connection.js';
import { BEAT_EVERY_MS, removeBeat, writeBeat } from './worker-status.js';
import { KEY_PREFIX, PROTOCOL_VERSION, QUEUE_NAME, type ItemJobData, type ItemJobResult, type PaidAnswer, type RemoteRetry } from './protocol.js';

export interface WorkerOptions {
  readonly url: RedisUrl;
  /** Jobs run at once by this worker. */
  readonly concurrency: number;
  /** Where the shared folder is on this machine. */
  readonly root: string;
  /**
   * How long a job stays this worker's without a sign of life: a worker killed mid-job loses it to
   * another after at most about twice this. An item that blocks the event loop longer is taken for lost.
   */
  readonly lockMs: number;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Lines for the terminal (never a secret: the URL is shown without its password). */
  readonly log: (line: string) => void;
  /** Aborted on the first SIGINT/SIGTERM: no new job; running ones finish. */
  readonly stop: AbortSignal;
}

/**
 * `vaflow worker`: takes item jobs from the queue and runs them with the same item code, retry layer
 * and timeouts as an in-process run (item-call.ts). Retries happen here, next to the provider, so a
 * Retry-After is honoured where the call is made; the provider limits and the retry budget are shared
 * through Redis. A job's return value carries the item's fields (or its error) and the chat answers
 * paid for; the coordinator stores them.
 */
export async function runWorker(options: WorkerOptions): Promise<void> {
  const id = `${os.hostname()}#${process.pid}`;
  // Every variable that says it holds a secret is one: no error message of this worker can carry it.
  registerSecrets(Object.entries(options.env).filter(([name]) => isSecretName(name)).map(([, value]) => value));
  let lastProblem = '';
  const main = connectRedis(options.url, {
    name: `vaflow:worker:${id}`,
    onError: (error) => {
      const problem = redisProblem(options.url, error);
      if (problem !== lastProblem) options.log(`vaflow worker: ${problem}; retrying`);
      lastProblem = problem;
    },
  });
  let beat: () => Promise<void> = async () => undefined;
  const executions = new RunningExecutions(main, id);
  main.on('ready', () => {
    if (lastProblem) options.log(`vaflow worker: connected to ${options.url.shown} again`);
    lastProblem = '';
    // Redis may have come back empty: be seen at once, not at the next beat.
    void beat();
    executions.refresh();
  });
  const sub = main.duplicate({ connectionName: `vaflow:worker:${id}:sub` });
  sub.on('error', () => undefined);
  const exchange = new ChatExchangeClient({ workerId: id, pub: main, sub });
  await exchange.start();
  const contexts = new ContextReader(main);
  const prepared = new Map<string, Promise<PreparedTask>>();
  const workerContexts = new WorkerContexts({ worker: id, root: options.root, env: options.env, redis: main });
  // Never aborted: a running job finishes after the first signal; the second ends the process, and
  // its jobs go to other workers when their locks lapse. Aborting them would record item errors.
  const running = new AbortController().signal;
  const counts = { active: 0, done: 0, failed: 0 };

  const prepare = (hash: string): Promise<PreparedTask> => {
    let pending = prepared.get(hash);
    if (!pending) {
      pending = contexts.get(hash).then((payload) => workerContexts.prepare(payload));
      // A missing file may appear (the folder gets mounted): failures are not remembered.
      pending.catch(() => prepared.delete(hash));
      prepared.set(hash, pending);
    }
    return pending;
  };

  const processItem = async (job: Job<ItemJobData, ItemJobResult>): Promise<ItemJobResult> => {
    const data = job.data;
    if (data.v !== PROTOCOL_VERSION) throw new Error(`worker ${id} speaks protocol ${PROTOCOL_VERSION}, the job ${data.v}: run one vaflow version everywhere`);
    // This execution's own id: the job may run elsewhere at the same time (executions.ts).
    const exec = executionId(job.id!);
    const paid: PaidAnswer[] = [];
    const retries: RemoteRetry[] = [];
    const logs: KindLogEvent[] = [];
    const base = { v: PROTOCOL_VERSION, worker: id, exec, chat: paid, retries, logs } as const;
    try {
      const task = await prepare(data.context);
      const settings = task.payload.settings;
      const { result, tally } = await callItemKind(data.input, data.repeat, {
        kind: task.kind,
        ctx: { ...task.ctx, signal: running, log: (event) => logs.push(event) },
        chatCalls: new WorkerChatCalls(task.providers, exchange, { exec, coordinator: data.coordinator, register: () => executions.add(exec) }, paid, running),
        origin: task.payload.taskId,
        inSlot: (attempt) => attempt(),
        policy: { ...DEFAULT_RETRY_POLICY, retries: settings.retries },
        budget: new RedisRetryBudget(main, data.budget),
        timeoutMs: settings.timeoutMs,
        abort: running,
        stop: running,
        onRetry: ({ attempt, delayMs, error }) => retries.push({ attempt, delayMs, code: error.code }),
      });
      return { ...base, ok: { fields: result.fields, ...(result.usage ? { usage: result.usage } : {}) }, tally };
    } catch (error) {
      return { ...base, error: describeItemError(withWorker(error, id, options.root)), tally: emptyTally() };
    } finally {
      executions.delete(exec);
    }
  };

  const worker = new Worker<ItemJobData, ItemJobResult>(QUEUE_NAME, async (job) => {
    counts.active++;
    try {
      return await processItem(job);
    } finally {
      counts.active--;
    }
  }, {
    connection: main,
    prefix: KEY_PREFIX,
    concurrency: options.concurrency,
    name: id,
    lockDuration: options.lockMs,
    stalledInterval: options.lockMs,
    // One stall is a killed worker; a job that stalls again and again is itself the problem.
    maxStalledCount: 2,
  });
  worker.on('error', () => undefined);
  // Counted on BullMQ's `completed`, not on finishing here: a job whose lock lapsed runs again
  // elsewhere, and only the execution BullMQ accepts (the lock holder's) is this worker's item.
  worker.on('completed', (_job, result) => void (result.error ? counts.failed++ : counts.done++));

  const startedAt = new Date().toISOString();
  beat = () => writeBeat(main, { id, host: os.hostname(), pid: process.pid, concurrency: options.concurrency, root: options.root, version: vaflowVersion, startedAt, ...counts }).catch(() => undefined);
  await beat();
  executions.start();
  const beating = setInterval(() => void beat(), BEAT_EVERY_MS);
  options.log(`vaflow worker ${id}: taking item jobs from ${options.url.shown} (concurrency ${options.concurrency}, shared root ${options.root})`);

  await new Promise<void>((resolve) => {
    if (options.stop.aborted) resolve();
    else options.stop.addEventListener('abort', () => resolve(), { once: true });
  });
  options.log(`vaflow worker ${id}: stopping; ${counts.active} job${counts.active === 1 ? '' : 's'} still running finish first (again to stop now)`);
  await worker.close();
  clearInterval(beating);
  await executions.close();
  await removeBeat(main, id).catch(() => undefined);
  await closeQuietly(sub);
  await closeQuietly(main);
  options.log(`vaflow worker ${id}: stopped after ${counts.done} items (${counts.failed} item errors)`);
}

async function closeQuietly(redis: Redis): Promise<void> {
  await redis.quit().catch(() => redis.disconnect());
}
