import type { ChatResponse } from '../../types/providers.js';
import type { PaidAnswer } from './protocol.js';
import type { Holder, Liveness } from './executions.js';

/** How often the coordinator looks whether the executions holding calls are still running. */
export const CHECK_MS = 2000;
/** Failed looks in a row (CHECK_MS apart) after which a holder is taken for dead. */
export const DEAD_AFTER_CHECKS = 2;

interface Grant extends Holder {
  readonly resolve: (answer: ChatResponse) => void;
  readonly reject: (error: Error) => void;
  /** Looks in a row that did not find the holder running. */
  failed: number;
}

/**
 * The right to pay for a chat call, by call key: held by one execution at a time (never by a job: two
 * executions of one job are two holders). Whoever else asks for the call waits for the holder's
 * answer (ChatCalls shares the call in flight). The right passes on only when the holder says its call
 * failed, its job completed without that answer, or it has been found not running DEAD_AFTER_CHECKS
 * times in a row: a slow but live execution is never paid over.
 */
export class ChatGrants {
  readonly #grants = new Map<string, Grant>();
  #timer: NodeJS.Timeout | undefined;
  #checking = false;

  constructor(private readonly liveness: Liveness) {}

  start(checkMs = CHECK_MS): void {
    this.#timer = setInterval(() => void this.check(), checkMs);
    this.#timer.unref();
  }

  holder(key: string): Holder | undefined {
    return this.#grants.get(key);
  }

  /** Grants `key` to `holder`: its answer (or failure) settles the promise. */
  open(key: string, holder: Holder): Promise<ChatResponse> {
    return new Promise<ChatResponse>((resolve, reject) => {
      this.#grants.set(key, { exec: holder.exec, worker: holder.worker, resolve, reject, failed: 0 });
    });
  }

  /** Settles `key` if `exec` holds it (an answer from anyone else is not the grant's); false otherwise. */
  settle(key: string, exec: string, outcome: { readonly answer: ChatResponse } | { readonly error: Error }): boolean {
    const grant = this.#grants.get(key);
    if (!grant || grant.exec !== exec) return false;
    this.#grants.delete(key);
    if ('answer' in outcome) grant.resolve(outcome.answer);
    else grant.reject(outcome.error);
    return true;
  }

  /** An execution's job completed: calls it holds are answered by what it paid for, or over. */
  settleExecution(exec: string, answers: readonly PaidAnswer[] = []): void {
    const paid = new Map(answers.map(([key, answer]) => [key, answer]));
    for (const [key, grant] of [...this.#grants]) {
      if (grant.exec !== exec) continue;
      const answer = paid.get(key);
      this.settle(key, exec, answer ? { answer } : { error: new Error('the call ended without an answer') });
    }
  }

  /** One look at every holder; a round still waiting for Redis is not doubled. */
  async check(): Promise<void> {
    if (this.#checking || this.#grants.size === 0) return;
    this.#checking = true;
    try {
      const grants = [...this.#grants];
      const running = await this.liveness(grants.map(([, grant]) => grant));
      grants.forEach(([key, grant], i) => {
        // Undefined (Redis away) tells nothing: the count stays.
        if (running[i] === true) grant.failed = 0;
        else if (running[i] === false && ++grant.failed >= DEAD_AFTER_CHECKS) {
          this.settle(key, grant.exec, { error: new Error(`execution ${grant.exec} on worker ${grant.worker} is no longer running`) });
        }
      });
    } finally {
      this.#checking = false;
    }
  }

  close(): void {
    clearInterval(this.#timer);
    for (const grant of this.#grants.values()) grant.reject(new Error('the coordinator stopped'));
    this.#grants.clear();
  }
}
