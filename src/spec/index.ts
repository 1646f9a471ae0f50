import path from 'node:path';
import { readFile, stat } from 'node:fs/promises';
import type { NodeKind } from '../types/node-kind.js';
import type { Pipeline } from '../types/generated/pipeline.js';
import { SpecError, type PositionedIssue } from '../errors.js';
import { checkPipeline } from './check-pipeline.js';
import { formatPath, type LocatedIssue, type SpecPath } from './issues.js';
import { MAX_FILE_BYTES, fileTooLargeMessage, parseYaml } from './parse-yaml.js';
import { Positions, type LineCol } from './positions.js';

export { composedSchema, nodeParamsSchema } from './compose-schema.js';
export { formatPath } from './issues.js';
export type { SpecPath } from './issues.js';

export interface LoadedPipeline {
  /** Absolute path. */
  readonly file: string;
  /** Its folder: relative paths in the pipeline resolve against it. */
  readonly specDir: string;
  /** The file exactly as given (saved into the run folder). */
  readonly text: string;
  readonly spec: Pipeline;
  /** node id → its loaded kind. */
  readonly kinds: ReadonlyMap<string, NodeKind>;
  /** file:line:col of a path in the file, for errors raised after loading; falls back to the nearest existing parent. */
  positionOf(path: readonly (string | number)[]): LineCol;
}

function positioned(file: string, positions: Positions, issues: readonly LocatedIssue[]): PositionedIssue[] {
  const located = issues.map((issue, order) => {
    const { line, col } = issue.offset === undefined ? positions.positionOf(issue.path, issue.target) : positions.lineCol(issue.offset);
    return { order, issue: { file, line, col, path: formatPath(issue.path), message: issue.message } };
  });
  located.sort((a, b) => a.issue.line - b.issue.line || a.issue.col - b.issue.col || a.order - b.order);
  return located.map((entry) => entry.issue);
}

function wholeFile(file: string, message: string): SpecError {
  return new SpecError([{ file, line: 1, col: 1, path: '', message }]);
}

/**
 * Reads, parses and validates a pipeline file and loads the kinds it names. Throws a SpecError
 * holding every issue found, each positioned as `file:line:col` with `file` as the caller gave it.
 */
export async function loadPipeline(file: string): Promise<LoadedPipeline> {
  const absolute = path.resolve(file);
  const info = await stat(absolute).catch(() => undefined);
  if (!info) throw wholeFile(file, 'no such file');
  if (!info.isFile()) throw wholeFile(file, 'not a file');
  // Checked before reading: a huge file is refused without being parsed.
  if (info.size > MAX_FILE_BYTES) throw wholeFile(file, fileTooLargeMessage(info.size));
  const text = await readFile(absolute, 'utf8');

  const parsed = parseYaml(text);
  if (!parsed.ok) throw new SpecError(positioned(file, new Positions(null, parsed.lineCounter), parsed.issues));
  const positions = new Positions(parsed.parsed.doc, parsed.parsed.lineCounter);
  const specDir = path.dirname(absolute);
  const result = await checkPipeline(parsed.parsed.value, specDir);
  if (!result.spec || result.issues.length > 0) throw new SpecError(positioned(file, positions, result.issues));
  return {
    file: absolute,
    specDir,
    text,
    spec: result.spec,
    kinds: result.kinds,
    positionOf: (at: SpecPath) => positions.positionOf(at),
  };
}
