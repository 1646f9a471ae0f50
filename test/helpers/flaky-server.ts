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

export interface FlakyServer {
  readonly url: string;
  /** Requests received per item id (answered or not). */
  readonly calls: Map<string, number>;
  /** Requests that got a 200 answer, per item id. */
  readonly answered: Map<string, number>;
  total(): number;
  close(): Promise<void>;
}

/** A loopback JSON endpoint for engine tests: answers `{answer: "label-<id>"}` after injecting the scripted faults. */
export async function startFlakyServer(options: FlakyServerOptions = {}): Promise<FlakyServer> {
  const calls = new Map<string, number>();
  const answered = new Map<string, number>();
  const pending = new Map(Object.entries(options.faults ?? {}).map(([id, f]) => [id, [...f]]));
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const { id } = JSON.parse(body) as { id: string };
      calls.set(id, (calls.get(id) ?? 0) + 1);
      const fault = pending.get(id)?.shift();
      const answer = () => {
        if (res.destroyed) return;
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
  return {
    url: `http://127.0.0.1:${port}/answer`,
    calls,
    answered,
    total: () => [...calls.values()].reduce((a, b) => a + b, 0),
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
