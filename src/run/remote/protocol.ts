import type { FlowRecord, TokenUsage } from '../../types/records.js';
import type { ChatResponse, ResolvedEmbedder, ResolvedModel } from '../../types/providers.js';
import type { KindLogEvent } from '../../types/node-kind.js';
import type { Pipeline } from '../../types/generated/pipeline.js';
import type { ItemErrorRecord } from '../../scheduler/item-errors.js';
import type { CallTally } from '../../scheduler/chat-calls.js';
import type { SharedPath } from './shared-root.js';

/**
 * What coordinators and workers say to each other through Redis. Nothing here holds a secret: API
 * keys stay in each worker's environment, and a task's context names the variables (apiKeyEnv), never
 * their values. Bump PROTOCOL_VERSION when a shape changes: a worker refuses jobs of another version,
 * the coordinator their results, and each side the other's chat-exchange messages (2: executions
 * have ids of their own, and a paid answer is answered with the one that stands).
 */
export const PROTOCOL_VERSION = 2;

/** The BullMQ queue every item job goes through, under the `vaflow` key prefix. */
export const QUEUE_NAME = 'items';
export const KEY_PREFIX = 'vaflow';

/** Redis keys beside BullMQ's own, all under the prefix. */
export const redisKeys = {
  /** A task's context, by the sha256 of its JSON (content-addressed: equal tasks share one). */
  context: (hash: string) => `${KEY_PREFIX}:ctx:${hash}`,
  /** A task's retry budget in one run (DECR until below zero). */
  budget: (run: string, task: string) => `${KEY_PREFIX}:budget:${run}:${task}`,
  /** A provider's shared limiter state (hash) and its leases of calls in flight (sorted set). */
  limiter: (provider: string) => `${KEY_PREFIX}:limit:${provider}`,
  leases: (provider: string) => `${KEY_PREFIX}:limit:${provider}:leases`,
  /** A worker's heartbeat (hash with a TTL): host, pid, concurrency, jobs done. */
  worker: (id: string) => `${KEY_PREFIX}:worker:${id}`,
  workerPattern: `${KEY_PREFIX}:worker:*`,
  /** The executions a worker runs now (a set of execution ids with a short TTL: executions.ts). */
  running: (worker: string) => `${KEY_PREFIX}:running:${worker}`,
  /** Pub/sub channels of the chat-answer exchange (chat-exchange.ts). */
  coordinatorChannel: (id: string) => `${KEY_PREFIX}:coord:${id}`,
  workerChannel: (id: string) => `${KEY_PREFIX}:reply:${id}`,
} as const;

/** How long contexts, budgets and finished jobs nobody collected stay in Redis. */
export const RETENTION_SECONDS = 7 * 24 * 3600;

/** Everything a worker needs to rebuild a task's context; stored once per task (see redisKeys.context). */
export interface TaskContextPayload {
  readonly v: typeof PROTOCOL_VERSION;
  readonly taskId: string;
  readonly nodeId: string;
  /** The kind's name (`kind.name`), for messages. */
  readonly kind: string;
  /** Where its module is: a built-in kind's name, or a local kind's file. */
  readonly kindModule: { readonly builtin: string } | SharedPath;
  readonly kindVersion: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly coords: Readonly<Record<string, string>>;
  /** The model with its source resolved by the coordinator: the worker calls that very base URL. */
  readonly model?: ResolvedModel;
  readonly embedder?: ResolvedEmbedder;
  readonly spec: Pipeline;
  /** The pipeline folder, under the shared root (see shared-root.ts). */
  readonly specDir: SharedPath;
  /** The run folder (kinds may read it; only the coordinator writes it). */
  readonly runDir: SharedPath;
  readonly seed: number;
  readonly settings: { readonly retries: number; readonly timeoutMs: number };
}

/** One job: one sample of one item. Its BullMQ job id is the item's cache key. */
export interface ItemJobData {
  readonly v: typeof PROTOCOL_VERSION;
  /** Hash of the task's context (redisKeys.context). */
  readonly context: string;
  readonly input: FlowRecord;
  readonly repeat: number;
  /** The coordinator that answers this job's chat lookups (chat-exchange.ts). */
  readonly coordinator: string;
  /** Redis key of the task's retry budget. */
  readonly budget: string;
}

/** A chat answer a worker paid for: its cache key, the answer (without notices) and the model's id (recorded with the cache entry). */
export type PaidAnswer = readonly [key: string, answer: ChatResponse, model: string];

/** A retry the worker slept on, replayed into the coordinator's counters and events. */
export interface RemoteRetry {
  readonly attempt: number;
  readonly delayMs: number;
  readonly code: string;
}

/**
 * A job's return value: the item's fields or its error (errors are results too: never cached), the
 * chat answers the worker paid for (the coordinator stores them; they stay in Redis with the job
 * until it has), and what happened on the way.
 */
export interface ItemJobResult {
  readonly v: typeof PROTOCOL_VERSION;
  /** `host#pid` of the worker that ran it. */
  readonly worker: string;
  /** The execution that produced it (a job may run twice: executions.ts). */
  readonly exec: string;
  readonly ok?: { readonly fields: Readonly<Record<string, unknown>>; readonly usage?: TokenUsage };
  readonly error?: ItemErrorRecord['error'];
  readonly tally: CallTally;
  readonly chat: readonly PaidAnswer[];
  readonly retries: readonly RemoteRetry[];
  readonly logs: readonly KindLogEvent[];
}

/** Which chat call a message is about, and which execution of which job asks (executions.ts). */
export interface CallRef {
  readonly key: string;
  /** Cache entry origin (the task id) and model id, recorded with the answer. */
  readonly origin: string;
  readonly model: string;
  /** The execution's id: its job id and a part of its own. */
  readonly exec: string;
  /** The worker running it (`host#pid`), whose running set tells whether it is alive. */
  readonly worker: string;
}

/** What a worker's request carries: the version, an id for the reply and the channel to send it to. */
interface Request {
  readonly v: number;
  readonly id: number;
  readonly reply: string;
}

/** Messages of the chat-answer exchange (worker → coordinator). */
export type WorkerMessage =
  /** Is this chat answer known (cache, or a call in flight)? */
  | (Request & CallRef & { readonly t: 'ask' })
  /** The answer of a call this execution made: the coordinator replies with the answer that stands. */
  | (Request & CallRef & { readonly t: 'answer'; readonly answer: ChatResponse })
  /** That call failed: whoever waits for it goes ahead. */
  | { readonly t: 'failed'; readonly v: number; readonly key: string; readonly exec: string };

/** Replies of the exchange (coordinator → worker): a reply's body, with the version and request id. */
export type CoordinatorMessage = { readonly v: number; readonly id: number } & CoordinatorReply;

/** What a reply says. */
export type CoordinatorReply =
  /** The answer (cached, shared with a call in flight, or another execution's that stands). */
  | { readonly t: 'hit'; readonly answer: ChatResponse }
  /** Not known, and this execution holds the right to pay for it: make the call (and send the answer). */
  | { readonly t: 'go' }
  /** Another execution holds that right: wait for `hit` or `go`. */
  | { readonly t: 'wait' }
  /** The answer sent is the call's: stored. */
  | { readonly t: 'kept' }
  /** The request is of another protocol version. */
  | { readonly t: 'refused'; readonly reason: string };
