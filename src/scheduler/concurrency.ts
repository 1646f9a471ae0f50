import PQueue from 'p-queue';

/**
 * Caps on kind calls in flight: one for the whole run (`defaults.concurrency`, or `--concurrency`)
 * and one per node that sets `with.concurrency` (shared by all the node's tasks). A call holds a slot
 * only while it runs: cache hits, retry back-offs and finished results waiting to be written hold none.
 */
export class CallSlots {
  readonly #global: PQueue;
  readonly #nodes = new Map<string, PQueue>();

  constructor(globalCap: number) {
    this.#global = new PQueue({ concurrency: globalCap });
  }

  get globalCap(): number {
    return this.#global.concurrency;
  }

  /** The cap a node's calls live under: its own when it has one below the run's, else the run's. */
  capOf(nodeCap: number | null): number {
    return nodeCap === null ? this.globalCap : Math.min(nodeCap, this.globalCap);
  }

  /** Runs `fn` once the node and the run have a free slot; an abort while waiting leaves the queues at once. */
  run<T>(nodeId: string, nodeCap: number | null, fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const inRun = () => runInQueue(this.#global, fn, signal);
    if (nodeCap === null || nodeCap >= this.globalCap) return inRun();
    let node = this.#nodes.get(nodeId);
    if (!node) {
      node = new PQueue({ concurrency: nodeCap });
      this.#nodes.set(nodeId, node);
    }
    return runInQueue(node, inRun, signal);
  }
}

/**
 * Adds `fn` to `queue`. Aborting `signal` while `fn` waits takes it out of the queue at once (it never
 * uses a slot or a rate interval); once `fn` runs, the signal is `fn`'s own business (p-queue would
 * otherwise reject at the abort and drop an answer that is about to arrive).
 */
export function runInQueue<T>(queue: PQueue, fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return queue.add(fn);
  signal.throwIfAborted();
  const whileQueued = new AbortController();
  const leave = () => whileQueued.abort(signal.reason);
  signal.addEventListener('abort', leave, { once: true });
  return queue
    .add(() => {
      signal.removeEventListener('abort', leave);
      return fn();
    }, { signal: whileQueued.signal })
    .finally(() => signal.removeEventListener('abort', leave));
}
