import { VaflowError, ProviderError } from '../errors.js';
import { AttemptsExhausted } from './retry.js';

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

export function describeItemError(error: unknown): ItemErrorRecord['error'] {
  const attempts = error instanceof AttemptsExhausted ? error.attempts : 1;
  const cause = error instanceof AttemptsExhausted ? error.cause : error;
  const err = cause instanceof Error ? cause : new Error(String(cause));
  return {
    class: err.constructor.name,
    code: err instanceof VaflowError ? err.code : (err as { code?: unknown }).code ? String((err as { code?: unknown }).code) : 'VAFLOW_ITEM_FAILED',
    message: err.message,
    ...(err instanceof ProviderError && err.status !== undefined ? { status: err.status } : {}),
    attempts,
  };
}
