import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { openRunFolder, type RunFolder } from '../artifacts/run-folder.js';
import { UsageError } from '../errors.js';
import { type MetricsDocument, parseMetricsDocument } from './metrics-document.js';

/**
 * The metrics of a finished run: every `metrics.json` / `<node>.metrics.json` its aggregate nodes
 * wrote into the run folder, plus the run id and pipeline name from manifest.json.
 */
export interface RunMetrics {
  readonly run: RunFolder;
  readonly runId: string;
  readonly pipelineName?: string;
  readonly documents: readonly { readonly file: string; readonly prefixed: boolean; readonly doc: MetricsDocument }[];
}

const METRICS_FILE = /^(?:(.+)\.)?metrics\.json$/;

function manifestInfo(file: string): { runId?: string; pipelineName?: string } {
  if (!existsSync(file)) return {};
  const value: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (typeof value !== 'object' || value === null) return {};
  const runId = 'runId' in value && typeof value.runId === 'string' ? value.runId : undefined;
  const pipeline = 'pipeline' in value && typeof value.pipeline === 'object' && value.pipeline !== null ? value.pipeline : undefined;
  const pipelineName = pipeline && 'name' in pipeline && typeof pipeline.name === 'string' ? pipeline.name : undefined;
  return { runId, pipelineName };
}

/** Opens RUN (an id, `latest`, or a run folder path) and reads its metrics files. */
export function loadRunMetrics(runsDir: string, ref: string): RunMetrics {
  const run = openRunFolder(runsDir, ref);
  const files = readdirSync(run.dir).filter((f) => METRICS_FILE.test(f)).sort();
  if (files.length === 0) {
    throw new UsageError(`run ${run.id} has no metrics.json in ${run.dir}: does its pipeline end in an aggregate node, and did that node finish?`);
  }
  const documents = files.map((f) => {
    const file = path.join(run.dir, f);
    const doc = parseMetricsDocument(JSON.parse(readFileSync(file, 'utf8')), file);
    return { file, prefixed: METRICS_FILE.exec(f)![1] !== undefined, doc };
  });
  const info = manifestInfo(run.manifestFile);
  return { run, runId: info.runId ?? run.id, pipelineName: info.pipelineName, documents };
}
