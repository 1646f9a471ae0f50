import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Fault = '429' | '500' | 'slow' | 'bad-request';

export interface FlakyServerOptions {
  /** Per item id, faults served in order before normal answers. */
  readonly faults?: Readonly<Record<string, readonly Fault[]>>;
  /** Seconds sent in Retry-After with a 429. @default 0 */
  readonly retryAfterSeconds?: number;
  /** How long a 'slow' reply takes. @default 2000 */
  readonly slowMs?: number;
  /** Latency of every normal reply. @default 0 */
  readonly latencyMs?: number;
}

/** One request as the server saw it: the item id, the task that sent it, and whether it got a 200 answer. */
export interface LoggedRequest {
  readonly id: string;
  readonly task: string;
  answered: boolean;
}

export interface FlakyServer {
  readonly url: string;
  /** Requests received per item id (answered or not). */
  readonly calls: Map<string, number>;
  /** Requests that got a 200 answer, per item id. */
  readonly answered: Map<string, number>;
  /** Every request in arrival order. */
  readonly log: LoggedRequest[];
  /**
   * Requests this selects are held: never answered, until the client gives up or the server closes
   * (a call in flight, for as long as a test needs one). Undefined answers everything.
   */
  hold: ((request: { readonly id: string; readonly task: string }) => boolean) | undefined;
  /** Requests held now (their client has not closed them). */
  held(): number;
  /** Resolves as soon as a request arrives after which `predicate` holds (checked in the request's own tick). */
  whenRequest(predicate: () => boolean): Promise<void>;
  total(): number;
  close(): Promise<void>;
}

/** A loopback JSON endpoint for engine tests: answers `{answer: "label-<id>"}` after injecting the scripted faults. */
export async function startFlakyServer(options: FlakyServerOptions = {}): Promise<FlakyServer> {
  const calls = new Map<string, number>();
  const answered = new Map<string, number>();
  const pending = new Map(Object.entries(options.faults ?? {}).map(([id, f]) => [id, [...f]]));
  const log: LoggedRequest[] = [];
  const heldNow = new Set<http.ServerResponse>();
  const watchers = new Set<() => void>();
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const { id, task = '' } = JSON.parse(body) as { id: string; task?: string };
      calls.set(id, (calls.get(id) ?? 0) + 1);
      const entry: LoggedRequest = { id, task, answered: false };
      log.push(entry);
      if (state.hold?.({ id, task })) {
        heldNow.add(res);
        res.once('close', () => heldNow.delete(res));
        for (const watch of [...watchers]) watch();
        return;
      }
      for (const watch of [...watchers]) watch();
      const fault = pending.get(id)?.shift();
      const answer = () => {
        if (res.destroyed) return;
        entry.answered = true;
        answered.set(id, (answered.get(id) ?? 0) + 1);
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ answer: `label-${id}` }));
      };
      if (fault === '429') return void res.writeHead(429, { 'retry-after': String(options.retryAfterSeconds ?? 0) }).end('{"error":"rate limited"}');
      if (fault === '500') return void res.writeHead(500).end('{"error":"boom"}');
      if (fault === 'bad-request') return void res.writeHead(400).end('{"error":"bad request"}');
      if (fault === 'slow') return void setTimeout(answer, options.slowMs ?? 2000);
      if (options.latencyMs) return void setTimeout(answer, options.latencyMs);
      answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const state: FlakyServer = {
    url: `http://127.0.0.1:${port}/answer`,
    calls,
    answered,
    log,
    hold: undefined,
    held: () => heldNow.size,
    whenRequest: (predicate) => new Promise<void>((resolve) => {
      if (predicate()) return resolve();
      const watch = () => {
        if (!predicate()) return;
        watchers.delete(watch);
        resolve();
      };
      watchers.add(watch);
    }),
    total: () => [...calls.values()].reduce((a, b) => a + b, 0),
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
  return state;
}
