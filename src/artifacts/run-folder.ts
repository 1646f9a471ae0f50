import { existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { ConfigError, UsageError, ioReason } from '../errors.js';
import { writeFileAtomicSync } from './atomic-write.js';
import type { Manifest } from './manifest.js';
import { isRecord } from '../util/is-record.js';

/**
 * Layout of one run: runs/<run-id>/
 *   pipeline.yaml        the pipeline file as given
 *   plan.json            the expanded task graph
 *   manifest.json        versions, environment, seed, timings, per-task counters (atomic rewrites)
 *   events.jsonl         structured log
 *   tasks/<task>.jsonl   records of a finished task (`.partial` while it runs)
 *   tasks/<task>.errors.jsonl  item errors of that task
 * runs/latest is a symlink to the newest run folder.
 */
export interface RunFolder {
  readonly id: string;
  readonly dir: string;
  readonly pipelineFile: string;
  readonly planFile: string;
  readonly manifestFile: string;
  readonly eventsFile: string;
  recordsFile(taskId: string): string;
  errorsFile(taskId: string): string;
}

/** File-safe task name: `classify[model=llama32,variant=lexical]` keeps its shape; only path-hostile characters change. */
export function taskFileName(taskId: string): string {
  return taskId.replace(/[^A-Za-z0-9_.,=\-[\]]/g, '_');
}

function folder(runsDir: string, id: string): RunFolder {
  const dir = path.resolve(runsDir, id);
  return {
    id,
    dir,
    pipelineFile: path.join(dir, 'pipeline.yaml'),
    planFile: path.join(dir, 'plan.json'),
    manifestFile: path.join(dir, 'manifest.json'),
    eventsFile: path.join(dir, 'events.jsonl'),
    recordsFile: (taskId) => path.join(dir, 'tasks', `${taskFileName(taskId)}.jsonl`),
    errorsFile: (taskId) => path.join(dir, 'tasks', `${taskFileName(taskId)}.errors.jsonl`),
  };
}

function newRunId(pipelineName: string, now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${pipelineName.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 40)}-${randomBytes(2).toString('hex')}`;
}

export function createRunFolder(options: { runsDir: string; pipelineName: string; pipelineText: string; now?: Date }): RunFolder {
  const run = folder(options.runsDir, newRunId(options.pipelineName, options.now ?? new Date()));
  prepareFolder(run.dir, `runs folder ${path.resolve(options.runsDir)}`);
  writeFileAtomicSync(run.pipelineFile, options.pipelineText);
  pointLatest(options.runsDir, run.id);
  return run;
}

/**
 * Makes sure a run folder and its tasks/ exist and can be written, before any call is made: a
 * read-only or full runs folder is a configuration error (exit 2) then, not a lost run later. A
 * resumed folder whose tasks/ was deleted gets it back (its tasks rerun, from the cache).
 */
export function prepareFolder(dir: string, what = `run folder ${dir}`): void {
  const probe = path.join(dir, 'tasks', `.write-test-${process.pid}`);
  try {
    makeFolders(path.join(dir, 'tasks'));
    writeFileSync(probe, 'ok');
    rmSync(probe, { force: true });
  } catch (error) {
    throw new ConfigError(`${what} is not writable: ${ioReason(error)}`);
  }
}

/** mkdir -p, one level at a time: a read-only parent reports EROFS / EACCES, not the ENOENT a recursive mkdir gives. */
function makeFolders(dir: string): void {
  if (existsSync(dir)) return;
  makeFolders(path.dirname(dir));
  try {
    mkdirSync(dir);
  } catch (error) {
    // Another process (a second run sharing the runs folder) made it first.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}

/** runs/latest → the newest run (a symlink, replaced atomically; a plain file holding the id where symlinks fail). */
function pointLatest(runsDir: string, id: string): void {
  const latest = path.join(runsDir, 'latest');
  const temp = `${latest}.${process.pid}.tmp`;
  try {
    rmSync(temp, { force: true });
    symlinkSync(id, temp);
    renameSync(temp, latest);
  } catch {
    writeFileSync(latest, id + '\n');
  }
}

/**
 * A run by reference: a path to a run folder; `latest` (the run runs/latest points at, else the
 * newest); `latest~N` (N runs before latest, in id order, which is start-time order); an id; or a
 * unique prefix of an id (`20250102-09`).
 */
export function openRunFolder(runsDir: string, ref: string): RunFolder {
  if (ref.includes(path.sep) || ref.startsWith('.')) {
    const dir = path.resolve(ref);
    if (existsSync(path.join(dir, 'manifest.json'))) return folder(path.dirname(dir), path.basename(dir));
  }
  return folder(runsDir, resolveRunId(runsDir, ref));
}

const LATEST = /^latest(?:~(\d+))?$/;

function resolveRunId(runsDir: string, ref: string): string {
  const ids = listRunIds(runsDir);
  const recent = ids.length ? ` (recent: ${ids.slice(-5).join(', ')})` : '';
  const latest = LATEST.exec(ref);
  if (latest) {
    if (ids.length === 0) throw new UsageError(`no runs yet in ${runsDir}`);
    const newest = latestPointer(runsDir);
    const at = newest !== undefined && ids.includes(newest) ? ids.indexOf(newest) : ids.length - 1;
    const back = Number(latest[1] ?? 0);
    if (back > at) throw new UsageError(`"${ref}": there are only ${at} run(s) before latest (${ids[at]}) in ${runsDir}`);
    return ids[at - back];
  }
  if (ids.includes(ref)) return ref;
  const matches = ref === '' ? [] : ids.filter((id) => id.startsWith(ref));
  if (matches.length === 1) return matches[0];
  if (matches.length > 1) {
    throw new UsageError(`run "${ref}" is ambiguous in ${runsDir}: ${matches.length} runs start with it (${matches.slice(0, 5).join(', ')}${matches.length > 5 ? ', …' : ''}); give more of the id`);
  }
  throw new UsageError(`run "${ref}" not found in ${runsDir}${recent}`);
}

/** The run id runs/latest names (a symlink, or a file holding the id), if any. */
function latestPointer(runsDir: string): string | undefined {
  const latest = path.join(runsDir, 'latest');
  try {
    return path.basename(readlinkSync(latest));
  } catch {
    return existsSync(latest) ? readFileSync(latest, 'utf8').trim() || undefined : undefined;
  }
}

/** Run ids, oldest first (ids start with a UTC timestamp). */
export function listRunIds(runsDir: string): string[] {
  if (!existsSync(runsDir)) return [];
  return readdirSync(runsDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(path.join(runsDir, e.name, 'manifest.json')))
    .map((e) => e.name)
    .sort();
}

/** A run's manifest, or why it cannot be used (a folder from a crashed disk, a hand-edited file). */
export type ManifestRead = { readonly manifest: Manifest; readonly problem?: undefined } | { readonly manifest?: undefined; readonly problem: string };

/** The manifest fields commands read, each with the type it must have. */
const MANIFEST_SHAPE: readonly [string, (value: unknown) => boolean][] = [
  ['runId', (v) => typeof v === 'string'],
  ['vaflowVersion', (v) => typeof v === 'string'],
  ['pipeline', (v) => isRecord(v) && typeof v.name === 'string' && typeof v.file === 'string' && typeof v.sha256 === 'string'],
  ['environment', (v) => isRecord(v) && typeof v.node === 'string' && typeof v.os === 'string'],
  ['seed', (v) => typeof v === 'number'],
  ['status', (v) => typeof v === 'string'],
  ['startedAt', (v) => typeof v === 'string'],
  ['attempts', (v) => Array.isArray(v)],
  ['tasks', (v) => isRecord(v) && Object.values(v).every((s) => isRecord(s) && typeof s.status === 'string')],
  ['totals', (v) => isRecord(v)],
];

function isManifest(value: unknown, missing: string[]): value is Manifest {
  if (!isRecord(value)) {
    missing.push('everything (not a JSON object)');
    return false;
  }
  for (const [key, ok] of MANIFEST_SHAPE) if (!ok(value[key])) missing.push(key);
  return missing.length === 0;
}

/** Reads and checks a run's manifest.json; never throws: `runs ls` lists a bad one as unreadable and goes on. */
export function readRunManifest(run: Pick<RunFolder, 'manifestFile'>): ManifestRead {
  let text: string;
  try {
    text = readFileSync(run.manifestFile, 'utf8');
  } catch (error) {
    return { problem: `cannot read manifest.json (${error instanceof Error && 'code' in error ? String(error.code) : String(error)})` };
  }
  if (text.trim() === '') return { problem: 'manifest.json is empty' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { problem: `manifest.json is not valid JSON (${error instanceof Error ? error.message : String(error)})` };
  }
  const missing: string[] = [];
  return isManifest(value, missing) ? { manifest: value } : { problem: `manifest.json lacks or misshapes: ${missing.join(', ')}` };
}
