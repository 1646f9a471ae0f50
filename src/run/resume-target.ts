import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.js';
import { sha256 } from '../util/hash.js';
import type { Manifest } from '../artifacts/manifest.js';
import { openRunFolder, readRunManifest, type RunFolder } from '../artifacts/run-folder.js';
import { comparePipelines, describeChanges } from '../spec/pipeline-diff.js';

/** What `run --resume` runs: the run folder's own copy of its pipeline, and where its relative paths resolve. */
export interface ResumeTarget {
  readonly run: RunFolder;
  readonly manifest: Manifest;
  /** runs/<id>/pipeline.yaml: the only pipeline a resume runs. */
  readonly file: string;
  /** The folder relative paths (tables, local kinds) resolve against: the original pipeline's. */
  readonly specDir: string;
}

/** As the manifest records it: the sha256 of the file's text. */
function digestOf(file: string): string {
  return sha256(readFileSync(file, 'utf8'));
}

/**
 * Resolves `run --resume RUN [FILE]`. A run folder is data: the pipeline file its manifest names is
 * never run. The resume runs the folder's copy, runs/<id>/pipeline.yaml, after checking it against
 * the digest the manifest recorded when the run started (a damaged or edited copy is refused).
 * FILE, when given, must be that same pipeline; otherwise the original file, when it still exists,
 * must be unchanged. "Unchanged" is by parsed content: edited comments or formatting do not
 * matter; a changed value means a new run (named in the refusal; completed items still come from
 * the cache). Either way it is the copy that runs.
 */
export function resumeTarget(options: { readonly runsDir: string; readonly resume: string; readonly file?: string }): ResumeTarget {
  const run = openRunFolder(options.runsDir, options.resume);
  const { manifest, problem } = readRunManifest(run);
  if (!manifest) throw new UsageError(`cannot resume ${run.id}: ${problem} (${run.manifestFile})`);
  if (!existsSync(run.pipelineFile)) throw new UsageError(`cannot resume ${run.id}: its copy of the pipeline is missing (${run.pipelineFile})`);
  if (digestOf(run.pipelineFile) !== manifest.pipeline.sha256) {
    throw new UsageError(`cannot resume ${run.id}: ${run.pipelineFile} does not match the digest its manifest recorded (edited or damaged); start a new run`);
  }
  const given = options.file === undefined ? undefined : path.resolve(options.file);
  const original = given ?? manifest.pipeline.file;
  if (given !== undefined && !existsSync(given)) throw new UsageError(`cannot resume ${run.id}: ${given} does not exist`);
  if (existsSync(original) && digestOf(original) !== manifest.pipeline.sha256) {
    const comparison = comparePipelines(readFileSync(run.pipelineFile, 'utf8'), readFileSync(original, 'utf8'));
    if (!comparison.same) {
      const what = comparison.unreadable ? `no longer parses (${comparison.unreadable})` : `changed since the run started: ${describeChanges(comparison.changed)}`;
      throw new UsageError(`cannot resume ${run.id}: ${original} ${what}; start a new run to run the changes (completed items still come from the cache)`);
    }
  }
  return { run, manifest, file: run.pipelineFile, specDir: path.dirname(original) };
}
