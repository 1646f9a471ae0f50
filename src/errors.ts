/**
 * Every code a VaflowError carries: stable, recorded in errors.jsonl and events.jsonl (`retry`), so a
 * script can branch on it. Chat calls use VAFLOW_RATE_LIMITED / VAFLOW_PROVIDER_HTTP (with `status`) /
 * VAFLOW_NETWORK / VAFLOW_BAD_RESPONSE / VAFLOW_PROVIDER (src/providers/chat/provider-errors.ts); the
 * OpenAI embedder names auth, rate limit, HTTP status and network failures in its own codes.
 */
export type VaflowErrorCode =
  | 'VAFLOW_ERROR'
  | 'VAFLOW_SPEC_INVALID'
  | 'VAFLOW_USAGE'
  | 'VAFLOW_CONFIG'
  | 'VAFLOW_ITEM'
  /** errors.jsonl's code for an item that threw an error without a code of its own. */
  | 'VAFLOW_ITEM_FAILED'
  | 'VAFLOW_TABLE_ROW'
  | 'VAFLOW_INTERRUPTED'
  | 'VAFLOW_IO'
  | 'VAFLOW_EXECUTOR'
  | 'VAFLOW_TIMEOUT'
  | 'VAFLOW_RATE_LIMITED'
  | 'VAFLOW_PROVIDER_HTTP'
  | 'VAFLOW_NETWORK'
  | 'VAFLOW_BAD_RESPONSE'
  | 'VAFLOW_PROVIDER'
  | 'VAFLOW_PROVIDER_AUTH'
  | 'VAFLOW_PROVIDER_RATE_LIMIT'
  | 'VAFLOW_PROVIDER_NETWORK'
  | `VAFLOW_PROVIDER_HTTP_${number}`;

/** Named errors with stable codes. The CLI prints `message` (never a stack) for any VaflowError. */
export class VaflowError extends Error {
  readonly code: VaflowErrorCode = 'VAFLOW_ERROR';
  /** Process exit code when this error ends the CLI. */
  readonly exitCode: number = 1;
}

export interface PositionedIssue {
  readonly file: string;
  readonly line: number;
  readonly col: number;
  /** Dotted path inside the file, e.g. `nodes.classify.with.models[1]`; empty for the whole file. */
  readonly path: string;
  readonly message: string;
  /** Absent for errors. */
  readonly severity?: 'warning';
  /** The command-line argument the issue is in (`--set nodes.x.with.limit=0`), printed instead of file:line:col. */
  readonly argument?: string;
}

export function formatIssue(issue: PositionedIssue): string {
  const where = issue.argument ?? `${issue.file}:${issue.line}:${issue.col}`;
  return `${where}  ${issue.severity === 'warning' ? 'warning: ' : ''}${issue.path ? `${issue.path}: ` : ''}${issue.message}`;
}

/** A pipeline that does not load or validate: every issue at once, exit code 2. */
export class SpecError extends VaflowError {
  override readonly code: VaflowErrorCode = 'VAFLOW_SPEC_INVALID';
  override readonly exitCode = 2;
  constructor(readonly issues: readonly PositionedIssue[]) {
    super(issues.map(formatIssue).join('\n'));
    this.name = 'SpecError';
  }
}

/** Bad command-line usage or a missing run / file named on the command line: exit code 2. */
export class UsageError extends VaflowError {
  override readonly code: VaflowErrorCode = 'VAFLOW_USAGE';
  override readonly exitCode = 2;
}

/** A configuration problem found while running (a model folder without tokenizer.json, ...). */
export class ConfigError extends VaflowError {
  override readonly code: VaflowErrorCode = 'VAFLOW_CONFIG';
  override readonly exitCode = 2;
}

/** A single item could not be processed (bad row, undecodable image): recorded, the run goes on. */
export class ItemError extends VaflowError {
  override readonly code: VaflowErrorCode = 'VAFLOW_ITEM';
}

export interface ProviderErrorOptions {
  /** HTTP status when there was a response. */
  readonly status?: number;
  /** Server-requested wait (Retry-After / retry-after-ms), in ms. */
  readonly retryAfterMs?: number;
  readonly retryable: boolean;
  readonly cause?: unknown;
}

/** A failed call to a model or embedding service, classified by status and cause, never by message text. */
export class ProviderError extends VaflowError {
  override readonly code: VaflowErrorCode;
  readonly status?: number;
  readonly retryAfterMs?: number;
  readonly retryable: boolean;
  constructor(code: VaflowErrorCode, message: string, options: ProviderErrorOptions) {
    super(message, { cause: options.cause });
    this.name = 'ProviderError';
    this.code = code;
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
    this.retryable = options.retryable;
  }
}

/** The per-call timeout fired. Retryable. */
export class TimeoutError extends ProviderError {
  constructor(ms: number) {
    super('VAFLOW_TIMEOUT', `call timed out after ${ms} ms`, { retryable: true });
    this.name = 'TimeoutError';
  }
}

export class InterruptedError extends VaflowError {
  override readonly code: VaflowErrorCode = 'VAFLOW_INTERRUPTED';
  override readonly exitCode = 130;
}

/** The Redis executor cannot go on (Redis gone for too long, a worker of another version): the run stops, failed. */
export class ExecutorError extends VaflowError {
  override readonly code: VaflowErrorCode = 'VAFLOW_EXECUTOR';
  constructor(message: string) {
    super(message);
    this.name = 'ExecutorError';
  }
}

/** Plain words for the file system errors a run can meet (the code is kept in parentheses). */
const IO_REASONS: Readonly<Record<string, string>> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EMFILE: 'too many open files (raise `ulimit -n`)',
  ENFILE: 'too many open files in the system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  EIO: 'input/output error',
  ENOENT: 'no such file or directory',
  ENOTDIR: 'a path component is not a folder',
  EISDIR: 'is a folder',
};

/**
 * A file of the run (records, errors, manifest, events, cache) could not be read or written: the run
 * fails with this message (the path and a plain reason), never a stack trace. Exit code 1.
 */
export class RunIOError extends VaflowError {
  override readonly code: VaflowErrorCode = 'VAFLOW_IO';
  constructor(readonly path: string, readonly action: 'write' | 'read' | 'create', cause: unknown) {
    super(`cannot ${action} ${path}: ${ioReason(cause)}`, { cause });
    this.name = 'RunIOError';
  }
}

/** "no space left on device (ENOSPC)" for a Node errno error; the message otherwise. */
export function ioReason(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && IO_REASONS[code]) return `${IO_REASONS[code]} (${code})`;
  const message = error instanceof Error ? error.message : String(error);
  return typeof code === 'string' && code.startsWith('SQLITE_') && !message.includes(code) ? `${message} (${code})` : message;
}

/** True for the errors that mean the run's storage failed (full disk, no handles, read-only), not an item's data. */
export function isStorageError(error: unknown): boolean {
  if (error instanceof RunIOError) return true;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return false;
  const missing = code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR';
  return (code in IO_REASONS && !missing) || /^SQLITE_(FULL|IOERR|READONLY|CANTOPEN)/.test(code);
}
