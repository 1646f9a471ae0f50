import { existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { UsageError } from '../errors.js';
import { writeFileAtomicSync } from './atomic-write.js';

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
  mkdirSync(path.join(run.dir, 'tasks'), { recursive: true });
  writeFileAtomicSync(run.pipelineFile, options.pipelineText);
  pointLatest(options.runsDir, run.id);
  return run;
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
