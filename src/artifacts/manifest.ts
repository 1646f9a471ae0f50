import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { packageRoot } from '../util/paths.js';
import { installedPackageDir } from '../util/package-dir.js';
import type { TaskStats } from '../types/task-stats.js';
import type { RunStatus } from '../types/task-stats.js';

export type ManifestStatus = RunStatus | 'running';

/** manifest.json: what ran, on what, with which versions and seed, and how each task went. */
export interface Manifest {
  readonly manifestVersion: 1;
  readonly runId: string;
  readonly vaflowVersion: string;
  readonly pipeline: {
    readonly name: string; readonly file: string; readonly sha256: string; readonly gitCommit: string | null;
    /** `--set path=value` arguments the run applied to the file, in order (a resume applies them again). */
    readonly overrides?: readonly string[];
  };
  readonly kinds: Readonly<Record<string, string>>;
  /** Each embedder's type, path and, for onnx folders, the model file that runs. */
  readonly embedders?: Readonly<Record<string, { readonly type: string; readonly path?: string; readonly modelFile?: string }>>;
  readonly environment: { readonly node: string; readonly os: string; readonly arch: string; readonly cpus: number };
  readonly dependencies: Readonly<Record<string, string>>;
  readonly seed: number;
  readonly options: {
    readonly cache: 'on' | 'off' | 'refresh'; readonly concurrency: number;
    /** `--only`: the nodes asked for (their upstream nodes ran too). A resume runs the same selection. */
    readonly only?: readonly string[];
    /** `--limit`: items read from each source. A resume reads the same. */
    readonly limit?: number;
    /** `--executor`: the Redis URL (without its password) whose workers ran the item kinds; absent for an in-process run. */
    readonly executor?: string;
  };
  status: ManifestStatus;
  /** Why the run failed as a whole (a storage failure: the file and the reason), when it did. */
  failure?: string;
  startedAt: string;
  endedAt?: string;
  /** Every earlier start of this run folder (resume adds one). */
  attempts: string[];
  tasks: Record<string, TaskStats>;
  totals: { items: number; errors: number; cacheHits: number; cacheMisses: number; retries: number; inputTokens: number; outputTokens: number; cost?: number };
  /**
   * Version of the answer reader that read this run's new answers (src/labels/reader-version.ts).
   * Answers served from the cache keep the reading they were stored with (see each record's readerVersion).
   */
  answerReader?: string;
  /** Every warning the run gave (a server refused response_format, ...), each once, in order. */
  notices?: ManifestNotice[];
}

export interface ManifestNotice {
  readonly message: string;
  readonly task?: string;
  readonly model?: string;
}

let dependencyVersions: Readonly<Record<string, string>> | undefined;

/** Versions of the direct dependencies as installed (not as declared); read once per process (the manifest and task reuse both ask). */
export function installedDependencyVersions(): Readonly<Record<string, string>> {
  dependencyVersions ??= readDependencyVersions();
  return dependencyVersions;
}

function readDependencyVersions(): Record<string, string> {
  const pkg = JSON.parse(readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  const out: Record<string, string> = {};
  for (const name of Object.keys(pkg.dependencies ?? {})) {
    try {
      const dir = installedPackageDir(name);
      if (!dir) throw new Error('not installed');
      out[name] = (JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string }).version;
    } catch {
      out[name] = 'not installed';
    }
  }
  return out;
}

/**
 * HEAD of the git repository holding the pipeline file, or null outside one. Asynchronous: a run
 * starts git at once and reads the answer when it writes the manifest, so the ~10–20 ms git takes
 * to start pass while the pipeline loads and is checked.
 */
export function gitCommitOf(dir: string): Promise<string | null> {
  return new Promise((resolve) => {
    execFile('git', ['rev-parse', 'HEAD'], { cwd: dir, timeout: 2000 }, (error, stdout) => resolve(error ? null : stdout.trim() || null));
  });
}

export function environmentInfo(): Manifest['environment'] {
  return { node: process.version, os: `${os.type()} ${os.release()}`, arch: process.arch, cpus: os.cpus().length };
}

export function totalsOf(tasks: Readonly<Record<string, TaskStats>>): Manifest['totals'] {
  const totals: Manifest['totals'] = { items: 0, errors: 0, cacheHits: 0, cacheMisses: 0, retries: 0, inputTokens: 0, outputTokens: 0 };
  for (const s of Object.values(tasks)) {
    totals.items += s.items;
    totals.errors += s.errors;
    totals.cacheHits += s.cacheHits;
    totals.cacheMisses += s.cacheMisses;
    totals.retries += s.retries;
    totals.inputTokens += s.inputTokens;
    totals.outputTokens += s.outputTokens;
    if (s.cost !== undefined) totals.cost = (totals.cost ?? 0) + s.cost;
  }
  return totals;
}

