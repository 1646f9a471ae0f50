import { AttemptsExhausted } from './retry.js';
import { redact } from '../util/redact.js';

/** An item error as recorded in tasks/<task>.errors.jsonl: class, code, message, attempts. Never cached. */
export interface ItemErrorRecord {
  readonly id: string;
  readonly coords: Readonly<Record<string, string>>;
  readonly repeat?: number;
  readonly error: {
    readonly class: string;
    readonly code: string;
    readonly message: string;
    readonly status?: number;
    readonly attempts: number;
  };
}

/** Reads code and status by shape, so errors from a local kind's own copy of vaflow are described alike. */
export function describeItemError(error: unknown): ItemErrorRecord['error'] {
  const attempts = error instanceof AttemptsExhausted ? error.attempts : 1;
  const cause = error instanceof AttemptsExhausted ? error.cause : error;
  const err = cause instanceof Error ? cause : new Error(String(cause));
  const { code, status } = err as { code?: unknown; status?: unknown };
  return {
    class: err.name && err.name !== 'Error' ? err.name : err.constructor.name,
    code: typeof code === 'string' && code ? code : 'VAFLOW_ITEM_FAILED',
    message: redact(err.message), // secrets echoed by a server never reach the errors file (src/util/redact.ts)
    ...(typeof status === 'number' ? { status } : {}),
    attempts,
  };
}
