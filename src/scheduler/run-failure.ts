import { RunIOError, VaflowError } from '../errors.js';

/**
 * The first storage failure of a run (a full disk, no file handles, an unwritable cache): from then
 * on nothing new starts, as after an interrupt, and the run ends `failed` with this cause in the
 * manifest, the `run_end` event and the terminal. Answers already paid for are in the cache.
 */
export class RunFailure {
  readonly #halt = new AbortController();
  #error: VaflowError | undefined;

  /** Aborted at the first failure. */
  get signal(): AbortSignal {
    return this.#halt.signal;
  }

  get error(): VaflowError | undefined {
    return this.#error;
  }

  /** Records `error` unless a failure is already recorded (the first cause is the one reported). */
  fail(error: unknown): void {
    if (this.#error) return;
    this.#error = error instanceof VaflowError ? error : new RunIOError('(unknown file)', 'write', error);
    this.#halt.abort(this.#error);
  }
}
