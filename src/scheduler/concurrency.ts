import { SlotQueue } from './slot-queue.js';

/**
 * Caps on kind calls in flight: one for the whole run (`defaults.concurrency`, or `--concurrency`)
 * and one per node that sets `with.concurrency` (shared by all the node's tasks). A call holds a slot
 * only while it runs: cache hits, retry back-offs and finished results waiting to be written hold none.
 */
export class CallSlots {
  readonly #global: SlotQueue;
  readonly #nodes = new Map<string, SlotQueue>();

  constructor(globalCap: number) {
    this.#global = new SlotQueue(globalCap);
  }

  get globalCap(): number {
    return this.#global.capacity;
  }

  /** The cap a node's calls live under: its own when it has one below the run's, else the run's. */
  capOf(nodeCap: number | null): number {
    return nodeCap === null ? this.globalCap : Math.min(nodeCap, this.globalCap);
  }

  /**
   * Runs `fn` once the node and the run have a free slot (the node's first). Aborting `signal`
   * while `fn` waits takes it out of the queues at once; once `fn` runs, the signal is `fn`'s own
   * business (an answer about to arrive is not dropped).
   */
  run<T>(nodeId: string, nodeCap: number | null, fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (nodeCap === null || nodeCap >= this.globalCap) return this.#global.run(fn, signal);
    let node = this.#nodes.get(nodeId);
    if (!node) {
      node = new SlotQueue(nodeCap);
      this.#nodes.set(nodeId, node);
    }
    return node.run(() => this.#global.run(fn, signal), signal);
  }
}
