import { access } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Redis } from 'ioredis';
import type { ItemKind, NodeKind, TaskContext } from '../../types/node-kind.js';
import type { ResolvedModel } from '../../types/providers.js';
import { createProviderServices, type EngineProviders } from '../../scheduler/provider-services.js';
import { loadKind } from '../../kinds.js';
import { hashJson } from '../../util/hash.js';
import { secretValuesOf } from '../../spec/environment.js';
import { registerSecrets } from '../../util/redact.js';
import { OPENAI_DEFAULT_BASE_URL } from '../../providers/chat/base-url.js';
import { AttemptsExhausted } from '../../scheduler/retry.js';
import { cachedEmbedder } from '../../scheduler/embed-cached.js';
import { cachedChartRenderer } from '../../scheduler/chart-cached.js';
import { cachedComputation } from '../../scheduler/computed-cached.js';
import { chartRendererVersion, loadChartRenderer } from '../../report/render-svg.js';
import { RedisProviderLimiter } from './redis-limiter.js';
import { fromShared } from './shared-root.js';
import type { TaskContextPayload } from './protocol.js';

type Env = Readonly<Record<string, string | undefined>>;

/** A file a worker cannot read: an item error that names the worker and the path (the shared folder is not mounted?). */
export class WorkerFileError extends Error {
  readonly code = 'VAFLOW_WORKER_FILE';
  constructor(worker: string, file: string, root: string, cause?: unknown) {
    const reason = (cause as { code?: unknown } | undefined)?.code === 'ENOENT' || cause === undefined ? 'no such file or folder' : cause instanceof Error ? cause.message : String(cause);
    super(`worker ${worker} cannot read ${file}: ${reason} (its shared root is ${root}: is the shared folder mounted there?)`);
    this.name = 'WorkerFileError';
  }
}

/** A file error thrown by a kind (ENOENT with a path) becomes one that names the worker; anything else is left as it is. */
export function withWorker(error: unknown, worker: string, root: string): unknown {
  if (error instanceof AttemptsExhausted) return new AttemptsExhausted(withWorker(error.cause, worker, root), error.attempts);
  const { code, path: file } = (error ?? {}) as { code?: unknown; path?: unknown };
  if ((code === 'ENOENT' || code === 'ENOTDIR' || code === 'EACCES') && typeof file === 'string') return new WorkerFileError(worker, file, root, error);
  return error;
}

/** A task's kind and context, rebuilt on this worker from what the coordinator published. */
export interface PreparedTask {
  readonly kind: ItemKind;
  readonly ctx: TaskContext<Record<string, unknown>>;
  readonly providers: EngineProviders;
  readonly payload: TaskContextPayload;
}

/**
 * Rebuilds task contexts on a worker. Paths come relative to the shared root; the model comes with its
 * source as the coordinator resolved it, and the worker's client is made to call that very address
 * (whatever this machine's OPENAI_BASE_URL says), so an answer always matches its cache key. API keys
 * are read from this worker's own environment and registered as secrets, so no message carries one.
 */
export class WorkerContexts {
  readonly #services = new Map<string, EngineProviders>();

  constructor(private readonly options: { readonly worker: string; readonly root: string; readonly env: Env; readonly redis: Redis }) {}

  async prepare(payload: TaskContextPayload): Promise<PreparedTask> {
    const { worker, root } = this.options;
    const specDir = fromShared(root, payload.specDir);
    await access(specDir).catch((error: unknown) => {
      throw new WorkerFileError(worker, specDir, root, error);
    });
    const kind = await this.#kind(payload, specDir);
    if (kind.mode !== 'item') throw new Error(`worker ${worker}: kind ${payload.kind} is a ${kind.mode} kind; only item kinds run on workers`);
    if (kind.version !== payload.kindVersion) {
      throw new Error(`worker ${worker}: kind ${payload.kind} is version ${kind.version} here and ${payload.kindVersion} on the coordinator: run the same code everywhere`);
    }
    const env = envFor(payload.model, this.options.env);
    registerSecrets(secretValuesOf(payload.spec, env).values());
    const providers = this.#providersFor(payload, specDir, env);
    const ctx: TaskContext<Record<string, unknown>> = {
      taskId: payload.taskId,
      nodeId: payload.nodeId,
      params: payload.params,
      coords: payload.coords,
      model: payload.model,
      embedder: payload.embedder,
      spec: payload.spec,
      specDir,
      runDir: fromShared(root, payload.runDir),
      seed: payload.seed,
      signal: new AbortController().signal,
      providers: {
        chat: providers.chat,
        // Embeddings are not cached on a worker (only the coordinator holds a cache): each job embeds its texts.
        embedder: (entry) => cachedEmbedder(entry, { load: () => providers.loadEmbedder(entry), cache: null, mode: { read: false, write: false } }),
        // Charts belong to batch kinds, which run on the coordinator; an item kind that draws one renders it here.
        renderCharts: cachedChartRenderer({ load: loadChartRenderer, version: chartRendererVersion, cache: null, mode: { read: false, write: false } }),
        computeCached: cachedComputation({ cache: null, mode: { read: false, write: false } }),
        shared: providers.shared,
        fileDigest: providers.fileDigest,
      },
      log: () => undefined,
    };
    return { kind, ctx, providers, payload };
  }

  async #kind(payload: TaskContextPayload, specDir: string): Promise<NodeKind> {
    const module = payload.kindModule;
    if ('builtin' in module) return loadKind(module.builtin, specDir);
    const file = fromShared(this.options.root, module);
    // Checked first: loadKind remembers a failed import, and the file may appear once the folder is mounted.
    await access(file).catch((error: unknown) => {
      throw new WorkerFileError(this.options.worker, file, this.options.root, error);
    });
    return loadKind(file, specDir);
  }

  /** One set of provider services per folder, limits and model address; limiters live in Redis. */
  #providersFor(payload: TaskContextPayload, specDir: string, env: Env): EngineProviders {
    const key = hashJson({ specDir, limits: payload.spec.defaults?.limits ?? {}, base: env.OPENAI_BASE_URL ?? null, model: payload.model?.id ?? null });
    let services = this.#services.get(key);
    if (!services) {
      const base = createProviderServices({
        limits: payload.spec.defaults?.limits,
        env,
        specDir,
        vectorCacheDir: path.join(os.tmpdir(), 'vaflow-vectors'),
        cache: null,
        limiterFor: (provider, limits) => new RedisProviderLimiter(this.options.redis, provider, limits),
      });
      // The coordinator resolved the model (the key names that source): never resolve it again here.
      services = { ...base, resolveModel: async (model: ResolvedModel) => (model.resolved ? model : base.resolveModel(model)) };
      this.#services.set(key, services);
    }
    return services;
  }
}

/**
 * This worker's environment, with the OpenAI address the coordinator resolved for a model that has
 * no `baseURL` of its own (it came from the coordinator's OPENAI_BASE_URL, or is api.openai.com).
 */
function envFor(model: ResolvedModel | undefined, env: Env): Env {
  const resolved = model?.resolved?.baseURL;
  if (!model || model.provider !== 'openai' || model.baseURL || !resolved) return env;
  const { OPENAI_BASE_URL: _url, OPENAI_API_BASE: _base, ...rest } = env;
  return resolved === OPENAI_DEFAULT_BASE_URL ? rest : { ...rest, OPENAI_BASE_URL: resolved };
}
