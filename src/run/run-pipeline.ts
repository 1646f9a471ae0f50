import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setMaxListeners } from 'node:events';
import { loadPipeline, type LoadedPipeline } from '../spec/index.js';
import { createGraph, DEFAULT_RUN_CONCURRENCY } from '../graph/create-graph.js';
import { applyEnvironment, type EnvironmentNotice } from '../spec/environment.js';
import { selectNodes } from '../spec/select-nodes.js';
import { createRunFolder, prepareFolder, type RunFolder } from '../artifacts/run-folder.js';
import { resumeTarget } from './resume-target.js';
import { writeJsonAtomic } from '../artifacts/atomic-write.js';
import { environmentInfo, gitCommitOf, installedDependencyVersions, type Manifest } from '../artifacts/manifest.js';
import { vaflowVersion } from '../util/paths.js';
import { sha256 } from '../util/hash.js';
import { openCache } from '../cache/open.js';
import type { CacheStore } from '../cache/store.js';
import type { CachedAsyncComputation } from '../types/providers.js';
import { cachedAsyncComputation } from '../scheduler/computed-cached.js';
import { CompositeLifeCycle } from '../lifecycle/life-cycle.js';
import type { RunLifeCycle } from '../types/run-events.js';
import type { RunStatus } from '../types/task-stats.js';
import { EventsFileLifeCycle } from '../lifecycle/events-file.js';
import { ManifestLifeCycle } from '../lifecycle/manifest-writer.js';
import { RunLockLifeCycle } from '../artifacts/run-lock.js';
import { RunsIndexLifeCycle } from '../report/runs-index.js';
import { UsageError } from '../errors.js';
import { createProviderServices } from '../scheduler/provider-services.js';
import { embedderManifestEntries } from '../providers/embedders/manifest-entries.js';
import { ChatCalls } from '../scheduler/chat-calls.js';
import { RunFailure } from '../scheduler/run-failure.js';
import { CallSlots } from '../scheduler/concurrency.js';
import { InProcessExecutor } from '../scheduler/executor.js';
import { orchestrate } from '../scheduler/orchestrator.js';
import type { TaskRuntime } from '../scheduler/task-runtime.js';
import type { TaskStats } from '../types/task-stats.js';
import type { TaskGraph } from '../types/graph.js';
import { resolveExecutor, type ExecutorSetting } from './remote/executor-setting.js';
import { sharedRootOf, sharedSpecDir } from './remote/shared-root.js';
import type { RedisExecutor } from './remote/redis-executor.js';

export interface RunPipelineOptions {
  /** The pipeline file; for a resume, optional (it must then equal the run's copy, which is what runs). */
  readonly file?: string;
  readonly runsDir: string;
  readonly cacheDir: string;
  /** `off`: read and write nothing; `refresh`: recompute everything, store the new results. */
  readonly cache?: 'on' | 'off' | 'refresh';
  /** Calls in flight across all tasks; overrides the pipeline's `defaults.concurrency`. @default that, else 8 */
  readonly concurrency?: number;
  /** Continue this run (id, `latest` or path) in its own folder, with the --set, --only and --limit it started with. */
  readonly resume?: string;
  /** `--set path=value` overrides of the file's values, for this run (recorded in the manifest). */
  readonly overrides?: readonly string[];
  /** `--only`: run these nodes and the nodes they need, transitively. */
  readonly only?: readonly string[];
  /** `--limit`: read the first N items of each source. */
  readonly limit?: number;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Extra life cycles (progress display). */
  readonly lifeCycles?: readonly RunLifeCycle[];
  /** Plan mode: count what the cache holds; call no model; write nothing into runsDir. */
  readonly dryRun?: boolean;
  /** A store to use instead of opening `cacheDir` (embedding vaflow, tests); the run flushes it but leaves it open. */
  readonly cacheStore?: CacheStore;
  /** `--executor`: `local`, or a redis:// URL whose workers run the item kinds (else VAFLOW_EXECUTOR, else defaults.executor). */
  readonly executor?: string;
  /** Interruption: stop scheduling on abort of `stop`, cancel in-flight calls on abort of `abort`. */
  readonly stop?: AbortSignal;
  readonly abort?: AbortSignal;
}

export interface RunResult {
  readonly runId: string;
  readonly runDir: string;
  readonly status: RunStatus;
  /** Why the run failed as a whole (a storage failure: which file, what happened). */
  readonly failure?: string;
  readonly tasks: Readonly<Record<string, TaskStats>>;
  readonly graph: TaskGraph;
  readonly pipeline: LoadedPipeline;
  /** Models the environment left out (`enabledByEnv`), each with what would include it. */
  readonly notices: readonly EnvironmentNotice[];
}

interface Prepared {
  readonly run: RunFolder;
  readonly manifest: Manifest;
  readonly previous?: Record<string, TaskStats>;
  readonly cleanup?: () => void;
}

function freshManifest(loaded: LoadedPipeline, run: RunFolder, options: RunPipelineOptions, executor: ExecutorSetting, gitCommit: string | null): Manifest {
  const kinds: Record<string, string> = {};
  for (const kind of loaded.kinds.values()) kinds[kind.name] = kind.version;
  return {
    manifestVersion: 1,
    runId: run.id,
    vaflowVersion,
    pipeline: {
      name: loaded.spec.name, file: loaded.file, sha256: sha256(loaded.text), gitCommit,
      ...(options.overrides?.length ? { overrides: options.overrides } : {}),
    },
    kinds,
    embedders: embedderManifestEntries(loaded.spec.embedders, loaded.specDir),
    environment: environmentInfo(),
    dependencies: installedDependencyVersions(),
    seed: loaded.spec.defaults?.seed ?? 42,
    options: {
      cache: options.cache ?? 'on', concurrency: runConcurrency(loaded.spec, options),
      ...(options.only?.length ? { only: options.only } : {}),
      ...(options.limit !== undefined ? { limit: options.limit } : {}),
      ...(executor.kind === 'redis' ? { executor: executor.shown } : {}),
    },
    status: 'running',
    startedAt: new Date().toISOString(),
    attempts: [new Date().toISOString()],
    tasks: {},
    totals: { items: 0, errors: 0, cacheHits: 0, cacheMisses: 0, retries: 0, inputTokens: 0, outputTokens: 0 },
  };
}

/**
 * Tasks run at once: enough to keep every call slot busy (twice the run's cap), few enough that a
 * graph of a thousand independent nodes stays far from the open-file limit (about 3 files a task).
 */
export function maxRunningTasks(runCap: number): number {
  return Math.min(64, Math.max(4, 2 * runCap));
}

/** The run's cap on calls in flight: `--concurrency`, else the pipeline's `defaults.concurrency`, else 8. */
function runConcurrency(spec: LoadedPipeline['spec'], options: RunPipelineOptions): number {
  return options.concurrency ?? spec.defaults?.concurrency ?? DEFAULT_RUN_CONCURRENCY;
}

async function prepare(loaded: LoadedPipeline, graph: TaskGraph, options: RunPipelineOptions, executor: ExecutorSetting, gitCommit: Promise<string | null>, resumed?: { run: RunFolder; manifest: Manifest }): Promise<Prepared> {
  if (options.dryRun) {
    const scratch = mkdtempSync(path.join(os.tmpdir(), 'vaflow-plan-'));
    const run = createRunFolder({ runsDir: scratch, pipelineName: loaded.spec.name, pipelineText: loaded.text });
    return { run, manifest: freshManifest(loaded, run, options, executor, await gitCommit), cleanup: () => rmSync(scratch, { recursive: true, force: true }) };
  }
  if (resumed) {
    prepareFolder(resumed.run.dir);
    const manifest = resumed.manifest;
    manifest.status = 'running';
    manifest.attempts = [...(manifest.attempts ?? []), new Date().toISOString()];
    delete manifest.endedAt;
    // Only tasks whose records file was published count as done; everything else reruns (from cache).
    const previous: Record<string, TaskStats> = {};
    for (const [id, stats] of Object.entries(manifest.tasks)) {
      if (stats.status === 'done' && existsSync(resumed.run.recordsFile(id))) previous[id] = stats;
    }
    manifest.tasks = { ...previous };
    return { run: resumed.run, manifest, previous };
  }
  const run = createRunFolder({ runsDir: options.runsDir, pipelineName: loaded.spec.name, pipelineText: loaded.text });
  await writeJsonAtomic(run.planFile, graph);
  return { run, manifest: freshManifest(loaded, run, options, executor, await gitCommit) };
}

/** Loads, expands and runs a pipeline (or plans it, with dryRun), writing the run folder as it goes. */
export async function runPipeline(options: RunPipelineOptions): Promise<RunResult> {
  const resumed = options.resume ? resumeTarget({ runsDir: options.runsDir, resume: options.resume, file: options.file }) : undefined;
  const file = resumed?.file ?? options.file;
  if (!file) throw new UsageError('no pipeline file given');
  // A resume runs what the run started with: its --set values, --only selection and --limit.
  const overrides = resumed ? resumed.manifest.pipeline.overrides : options.overrides;
  const only = resumed ? resumed.manifest.options.only : options.only;
  const limit = resumed ? resumed.manifest.options.limit : options.limit;
  // git answers while the pipeline loads (a resume keeps its manifest, and needs no commit).
  const gitCommit = resumed ? Promise.resolve(null) : gitCommitOf(path.dirname(path.resolve(file)));
  const raw = await withCheckCache(options, (checkCache) => loadPipeline(file, { env: options.env, specDir: resumed?.specDir, overrides, ...(checkCache ? { checkCache } : {}) }));
  const applied = applyEnvironment(raw.spec, options.env);
  const { notices } = applied;
  const spec = selectNodes(applied.spec, only ?? []);
  const loaded: LoadedPipeline = { ...raw, spec };
  const graph = createGraph({ spec, kinds: loaded.kinds });
  const executor = resolveExecutor({ flag: options.executor, env: options.env, pipeline: spec.defaults?.executor });
  // Connected before the run folder exists: an unreachable Redis costs nothing but the message.
  const remote = executor.kind === 'redis' && !options.dryRun ? await connectExecutor(executor, loaded.specDir, options.env) : undefined;
  const prepared = await closingOnError(remote, () => prepare(loaded, graph, options, executor, gitCommit, resumed));
  const cacheMode = options.cache ?? 'on';
  const cache: CacheStore | null = cacheMode === 'off' ? null : options.cacheStore ?? await closingOnError(remote, () => openCache({ dir: options.cacheDir }));
  // A storage failure stops the run like an interrupt does, and ends it failed with its cause.
  const failure = new RunFailure();
  const manifestLife = new ManifestLifeCycle(prepared.run.manifestFile, prepared.manifest);
  const lifeCycle = new CompositeLifeCycle([
    // run.lock after the manifest (removed once the final status is written), then runs/index.html.
    ...(options.dryRun ? [] : [new EventsFileLifeCycle(prepared.run.eventsFile, (error) => failure.fail(error)), manifestLife, new RunLockLifeCycle(prepared.run.dir), new RunsIndexLifeCycle(options.runsDir)]),
    ...(options.lifeCycles ?? []),
  ]);
  const stop = AbortSignal.any([options.stop ?? new AbortController().signal, failure.signal]);
  const abort = options.abort ?? new AbortController().signal;
  // Every in-flight call listens on the run's signals (and removes its listener when it settles).
  setMaxListeners(0, stop, abort);
  const providers = createProviderServices({
    limits: loaded.spec.defaults?.limits,
    env: options.env,
    specDir: loaded.specDir,
    // Derived vector files live beside the cache; without a cache, in a shared temp folder.
    vectorCacheDir: cache ? path.join(path.dirname(cache.path), 'vectors') : path.join(os.tmpdir(), 'vaflow-vectors'),
    cache,
  });
  const cacheUse = { read: cacheMode === 'on', write: cacheMode !== 'off' && !options.dryRun };
  const runtime: TaskRuntime = {
    spec: loaded.spec,
    specDir: loaded.specDir,
    graph,
    kinds: loaded.kinds,
    run: prepared.run,
    cache,
    cacheMode: cacheUse,
    slots: new CallSlots(runConcurrency(loaded.spec, options)),
    providers,
    chatCalls: new ChatCalls({
      providers,
      cache,
      mode: cacheUse,
      stop,
      onStoreError: (error) => failure.fail(error),
    }),
    lifeCycle,
    seed: prepared.manifest.seed,
    stopSignal: stop,
    abortSignal: abort,
    failure,
    dryRun: options.dryRun ?? false,
    ...(remote ? { items: remote } : {}),
    ...(limit !== undefined ? { sourceLimit: limit } : {}),
  };
  const started = Date.now();
  for (const notice of notices) lifeCycle.log({ level: 'info', message: notice.message });
  await closingOnError(remote, () => lifeCycle.runStart({ runId: prepared.run.id, runDir: prepared.run.dir, pipelineName: loaded.spec.name, graph, resumed: !!resumed, dryRun: runtime.dryRun, providerRates: () => providers.rates() }));
  try {
    await remote?.attach(runtime);
    const result = await orchestrate({
      graph,
      executor: new InProcessExecutor(runtime),
      lifeCycle,
      stopSignal: stop,
      failure,
      maxRunning: maxRunningTasks(runtime.slots.globalCap),
      previous: prepared.previous,
    });
    try {
      cache?.flush();
    } catch (error) {
      failure.fail(error);
    }
    const status = failure.error ? 'failed' : result.status;
    prepared.manifest.tasks = result.tasks;
    const cause = failure.error?.message;
    try {
      await lifeCycle.runEnd(status, { durationMs: Date.now() - started, ...(cause ? { failure: cause } : {}) });
    } catch (error) {
      // The manifest or events file could not be finished (the disk is still full): the cause that
      // stopped the run is the one to report; a first failure at this point is reported itself.
      failure.fail(error);
    }
    return { runId: prepared.run.id, runDir: prepared.run.dir, status: failure.error ? 'failed' : status, tasks: result.tasks, graph, pipeline: loaded, notices, ...(failure.error ? { failure: failure.error.message } : {}) };
  } finally {
    await remote?.close();
    try {
      if (!options.cacheStore) cache?.close();
    } catch {
      // Already reported: a cache that cannot flush failed the run above.
    }
    prepared.cleanup?.();
  }
}

/**
 * Runs `load` with the cache in front of kinds' checks (an extract check keeps what it judged of a
 * table's bytes), opened when a check first asks for it and closed, its entries committed, when
 * `load` settles: the run opens its own handle once the run folder exists. A plan stores nothing.
 */
async function withCheckCache<T>(options: RunPipelineOptions, load: (checkCache?: CachedAsyncComputation) => Promise<T>): Promise<T> {
  const mode = options.cache ?? 'on';
  if (mode === 'off') return load();
  // A cache that cannot be opened is not the check's problem: it computes, and the run reports the cache when it opens it.
  let opened: Promise<CacheStore | null> | undefined;
  const open = () => (opened ??= options.cacheStore ? Promise.resolve(options.cacheStore) : openCache({ dir: options.cacheDir }).catch(() => null));
  try {
    return await load(cachedAsyncComputation({ open, mode: { read: mode === 'on', write: !options.dryRun } }));
  } finally {
    if (opened && !options.cacheStore) (await opened)?.close();
  }
}

/** The Redis executor, loaded only when a run names one (`validate` and local runs never load bullmq). */
async function connectExecutor(setting: ExecutorSetting & { kind: 'redis' }, specDir: string, env: RunPipelineOptions['env']): Promise<RedisExecutor> {
  const sharedRoot = sharedRootOf(undefined, env);
  sharedSpecDir(sharedRoot, specDir);
  const outage = Number(env.VAFLOW_EXECUTOR_OUTAGE_MS);
  const { RedisExecutor } = await import('./remote/redis-executor.js');
  return RedisExecutor.connect(setting, { sharedRoot, ...(outage > 0 ? { outageMs: outage } : {}) });
}

/** `step`, closing the executor's connections when it throws (before the run's own try/finally). */
async function closingOnError<T>(remote: RedisExecutor | undefined, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    await remote?.close();
    throw error;
  }
}
