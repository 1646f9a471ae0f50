/** setTimeout as a promise that an abort ends early, rejecting with the signal's reason. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * `promise`, or the signal's reason as soon as it aborts: a call that ignores its signal cannot hold
 * its caller. A rejection after the abort is reported as the abort.
 */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    // Its rejection is reported as the abort: it must not surface as an unhandled one.
    promise.catch(() => undefined);
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => { signal.removeEventListener('abort', onAbort); resolve(value); },
      (error) => { signal.removeEventListener('abort', onAbort); reject(signal.aborted ? signal.reason : error); },
    );
  });
}

/**
 * The controllers to abort when `signal` aborts, behind one listener on it. Why: every call in
 * flight (and every item waiting for a slot) must end when the run aborts, and a signal's listeners
 * are a list that each addEventListener and removeEventListener walks — with a few hundred items
 * admitted, one listener per attempt on the run's signal cost more than a tenth of the scheduler's
 * CPU time. Adding to and deleting from a Set costs nothing that grows.
 */
export class AbortFanout {
  static readonly #bySignal = new WeakMap<AbortSignal, AbortFanout>();
  readonly #controllers = new Set<AbortController>();
  readonly #signal: AbortSignal;

  private constructor(signal: AbortSignal) {
    this.#signal = signal;
    signal.addEventListener('abort', () => {
      const controllers = [...this.#controllers];
      this.#controllers.clear();
      for (const controller of controllers) controller.abort(signal.reason);
    }, { once: true });
  }

  /** The fan-out of `signal`: one per signal. */
  static of(signal: AbortSignal): AbortFanout {
    let fanout = AbortFanout.#bySignal.get(signal);
    if (!fanout) {
      fanout = new AbortFanout(signal);
      AbortFanout.#bySignal.set(signal, fanout);
    }
    return fanout;
  }

  /** Aborts `controller` with the signal's reason when it aborts (at once if it already has). */
  add(controller: AbortController): void {
    if (this.#signal.aborted) controller.abort(this.#signal.reason);
    else this.#controllers.add(controller);
  }

  delete(controller: AbortController): void {
    this.#controllers.delete(controller);
  }
}
