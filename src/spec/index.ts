import path from 'node:path';
import { readFile, stat } from 'node:fs/promises';
import type { NodeKind } from '../types/node-kind.js';
import type { CachedAsyncComputation } from '../types/providers.js';
import type { Pipeline } from '../types/generated/pipeline.js';
import { SpecError, type PositionedIssue } from '../errors.js';
import { checkPipeline } from './check-pipeline.js';
import { formatPath, isWarning, type LocatedIssue, type SpecPath } from './issues.js';
import { findSecretsInText } from './secrets.js';
import { applyEnvironment, environmentIssues, secretValuesOf } from './environment.js';
import { registerSecrets } from '../util/redact.js';
import { MAX_FILE_BYTES, fileTooLargeMessage, parseYaml } from './parse-yaml.js';
import { Positions, type LineCol } from './positions.js';
import { applyOverrides, overrideFor, parseOverride, type Override, type OverrideProblem } from './overrides.js';
import { MIN_SECRET_LENGTH } from '../util/redact.js';

export { composedSchema, nodeParamsSchema } from './compose-schema.js';
export { formatPath } from './issues.js';
export type { SpecPath } from './issues.js';

export interface LoadedPipeline {
  /** Absolute path. */
  readonly file: string;
  /** Folder relative paths in the pipeline resolve against: the file's own, or the one given in LoadOptions. */
  readonly specDir: string;
  /** The file exactly as given (saved into the run folder). */
  readonly text: string;
  readonly spec: Pipeline;
  /** node id → its loaded kind. */
  readonly kinds: ReadonlyMap<string, NodeKind>;
  /** Problems that do not stop the pipeline (each says how to silence it), positioned like errors. */
  readonly warnings: readonly PositionedIssue[];
  /** file:line:col of a path in the file, for errors raised after loading; falls back to the nearest existing parent. */
  positionOf(path: readonly (string | number)[]): LineCol;
}

export interface LoadOptions {
  /**
   * The environment the pipeline will run with. When given, also checked: every model and embedder
   * a node uses has its key set (after `enabledByEnv`), and the file holds none of the secret values;
   * and those values are registered for redaction (src/util/redact.ts) before anything is written.
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Resolve relative paths (tables, local kinds) against this folder instead of the file's: a resumed run reads its own copy of the pipeline. */
  readonly specDir?: string;
  /** `--set path=value` arguments, applied in order after parsing and validated like the file (src/spec/overrides.ts). */
  readonly overrides?: readonly string[];
  /** The run's cache for kinds' checks (CheckContext.computeCached); absent, every check computes. */
  readonly checkCache?: CachedAsyncComputation;
}

function positioned(file: string, positions: Positions, issues: readonly LocatedIssue[], overrides: readonly Override[] = []): PositionedIssue[] {
  const located = issues.map((issue, order) => {
    const { line, col } = issue.offset === undefined ? positions.positionOf(issue.path, issue.target) : positions.lineCol(issue.offset);
    const severity = isWarning(issue) ? { severity: 'warning' as const } : {};
    // A value a --set replaced is reported on that argument, not on the line of the file it replaced.
    const override = issue.offset === undefined ? overrideFor(issue, overrides) : undefined;
    const argument = override ? { argument: `--set ${override.argument}` } : {};
    return { order, issue: { file, line, col, path: formatPath(issue.path), message: issue.message, ...severity, ...argument } };
  });
  located.sort((a, b) => a.issue.line - b.issue.line || a.issue.col - b.issue.col || a.order - b.order);
  return located.map((entry) => entry.issue);
}

function wholeFile(file: string, message: string): SpecError {
  return new SpecError([{ file, line: 1, col: 1, path: '', message }]);
}

/** The parsed file with the --set overrides applied; an argument that cannot be read or applied stops here. */
function withOverrides(file: string, parsed: unknown, argumentsGiven: readonly string[]): { value: unknown; overrides: Override[] } {
  const read = argumentsGiven.map(parseOverride);
  const overrides = read.filter((entry): entry is Override => 'path' in entry);
  const applied = applyOverrides(parsed, overrides);
  const problems = [...read.filter((entry): entry is OverrideProblem => !('path' in entry)), ...applied.problems];
  if (problems.length > 0) throw new SpecError(problems.map((problem) => ({ file, line: 0, col: 0, path: '', message: problem.message, argument: `--set ${problem.argument}` })));
  return { value: applied.value, overrides };
}

/** The value of a secret variable typed into a --set argument (it would be recorded in the manifest). */
function secretsInOverrides(overrides: readonly Override[], known: ReadonlyMap<string, string> | undefined): LocatedIssue[] {
  const issues: LocatedIssue[] = [];
  for (const override of overrides) {
    for (const [variable, secret] of known ?? []) {
      if (secret.length >= MIN_SECRET_LENGTH && override.argument.includes(secret)) {
        issues.push({ path: override.path, message: `this is the value of the environment variable ${variable}, a secret; a --set value is recorded in the run's manifest: name the variable instead (apiKeyEnv)` });
      }
    }
  }
  return issues;
}

/**
 * Reads, parses and validates a pipeline file and loads the kinds it names. Throws a SpecError
 * holding every issue found (errors and warnings), each positioned as `file:line:col` with `file` as
 * the caller gave it; returns the warnings when there is no error.
 */
export async function loadPipeline(file: string, options: LoadOptions = {}): Promise<LoadedPipeline> {
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
  const specDir = options.specDir ?? path.dirname(absolute);
  const { value, overrides } = withOverrides(file, parsed.parsed.value, options.overrides ?? []);
  const known = options.env ? secretValuesOf(value, options.env) : undefined;
  if (known) registerSecrets(known.values());
  const result = await checkPipeline(value, specDir, options.checkCache ? { computeCached: options.checkCache } : {});
  const issues = [...result.issues, ...findSecretsInText({ text, doc: parsed.parsed.doc, known }), ...secretsInOverrides(overrides, known)];
  if (result.shaped && options.env) issues.push(...environmentIssues(applyEnvironment(result.shaped, options.env).spec, options.env));
  const all = positioned(file, positions, issues, overrides);
  if (!result.spec || all.some((issue) => issue.severity !== 'warning')) throw new SpecError(all);
  return {
    file: absolute,
    specDir,
    text,
    spec: result.spec,
    kinds: result.kinds,
    warnings: all,
    positionOf: (at: SpecPath) => positions.positionOf(at),
  };
}
