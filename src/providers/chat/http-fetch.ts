import http from 'node:http';
import https from 'node:https';
import zlib from 'node:zlib';

/** Redirects followed before giving up, as fetch does. */
const MAX_REDIRECTS = 20;

/** How long a kept-alive socket must have been idle before its reset can be a server's idle close (see HttpTransport). */
export const STALE_AFTER_MS = 1000;

/** When each kept-alive socket last finished an exchange: how long it has been idle when it is reused. */
const idleSince = new WeakMap<import('node:net').Socket, number>();

/** A response whose body arrived whole: what the SDK's fetch and vaflow's own chat path read. */
export interface RawResponse {
  readonly status: number;
  readonly statusText: string;
  /** Node's parsed headers: lower-case names, repeated ones joined. */
  readonly headers: http.IncomingHttpHeaders;
  /** Name, value, name, value, ... as received. */
  readonly rawHeaders: readonly string[];
  /** The URL that answered (after redirects). */
  readonly url: string;
  /** The decoded body. */
  readonly data: Buffer;
  readonly redirected: boolean;
}

/**
 * node:http keep-alive agents shared by every request of one client, with two ways in: `fetch` (for
 * the OpenAI SDK's `fetch` option, LangChain's `configuration.fetch`) and `request` (a buffered
 * exchange without the Request/Response objects, for vaflow's own chat path, AnswerCompletions).
 *
 * Why not Node 20's fetch (undici): it spends about 0.5 ms of CPU per small request on WHATWG
 * streams, Request/Response objects and abort plumbing (bench/chat-transport.ts); node:http does
 * the same exchange in about a quarter of that.
 *
 * It implements what a JSON API client needs: a string or byte body, the request headers, an abort
 * signal, redirects (303 and a POST's 301/302 become GET; the Authorization header is dropped when
 * the origin changes), gzip/deflate/br bodies, and a body buffered whole (chat answers are small).
 * `fetch` sends anything else (a stream or form body) to the global fetch. Failures look like
 * fetch's: `TypeError('fetch failed', { cause })` for the network, the signal's reason for an abort.
 *
 * A request sent on a kept-alive socket that the server had just closed (ECONNRESET or EPIPE before
 * a single response byte arrived) is sent again once, on a new socket, as Node's documentation
 * advises (`request.reusedSocket`): the server closed an idle connection and never served it, so it
 * is no failed call, costs nothing and is no retry of the engine's. Only a socket that had been idle
 * for STALE_AFTER_MS or more counts: servers close connections for idleness after seconds (Node 5,
 * gunicorn 2, nginx 75), so a reset on a socket reused sooner is the server failing the request,
 * a network error the engine retries and counts. Once any byte of an answer has arrived, a reset
 * is a network error too (the server may have done the work).
 */
export interface HttpTransport {
  readonly fetch: typeof fetch;
  request(url: URL, method: string, headers: Readonly<Record<string, string>>, body: string | Uint8Array | undefined, signal: AbortSignal | undefined): Promise<RawResponse>;
}

export function createHttpTransport(): HttpTransport {
  const agents = {
    'http:': new http.Agent({ keepAlive: true }),
    'https:': new https.Agent({ keepAlive: true }),
  };
  const request: HttpTransport['request'] = (url, method, headers, body, signal) => exchange(url, method, headers, body, signal, agents, 0, false);
  const httpFetch = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const body = init.body;
    if (input instanceof Request || (body != null && typeof body !== 'string' && !(body instanceof Uint8Array))) {
      return globalThis.fetch(input, init);
    }
    const raw = await request(new URL(input), init.method ?? 'GET', plainHeaders(init.headers), body ?? undefined, init.signal ?? undefined);
    return new BufferedResponse(raw.status, raw.statusText, responseHeaders(raw.rawHeaders), raw.url, raw.data, raw.redirected) as unknown as Response;
  };
  return { fetch: httpFetch as typeof fetch, request };
}

function plainHeaders(headers: RequestInit['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  if (!headers) return out;
  if (headers instanceof Headers) headers.forEach((value, name) => { out[name] = value; });
  else if (Array.isArray(headers)) for (const [name, value] of headers as [string, string][]) out[name.toLowerCase()] = value;
  else for (const [name, value] of Object.entries(headers as Record<string, string>)) out[name.toLowerCase()] = value;
  return out;
}

function exchange(
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: string | Uint8Array | undefined,
  signal: AbortSignal | undefined,
  agents: Record<'http:' | 'https:', http.Agent>,
  redirects: number,
  resent: boolean,
): Promise<RawResponse> {
  if (signal?.aborted) return Promise.reject(abortReason(signal));
  const protocol = url.protocol;
  if (protocol !== 'http:' && protocol !== 'https:') return Promise.reject(new TypeError('fetch failed', { cause: new Error(`unsupported protocol ${protocol}`) }));
  return new Promise<RawResponse>((resolve, reject) => {
    const sent = headerLines(url, headers, body);
    let settled = false;
    /** The socket, its byte count when this request got it (a reused one has read earlier answers) and how long it had been idle. */
    let assigned: { readonly socket: import('node:net').Socket; readonly readBefore: number; readonly idleMs: number } | undefined;
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      reject(error);
    };
    const onAbort = () => {
      request.destroy();
      fail(abortReason(signal!));
    };
    const request = (protocol === 'https:' ? https : http).request({ ...addressOf(url), method, headers: sent, agent: agents[protocol] }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', (error) => fail(new TypeError('fetch failed', { cause: error })));
      res.on('end', () => {
        if (assigned) idleSince.set(assigned.socket, performance.now());
        if (settled) return;
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        const status = res.statusCode ?? 0;
        const location = res.headers.location;
        if (location && REDIRECTS.has(status)) {
          if (redirects >= MAX_REDIRECTS) return reject(new TypeError('fetch failed', { cause: new Error('redirect count exceeded') }));
          const next = new URL(location, url);
          const toGet = status === 303 || ((status === 301 || status === 302) && method === 'POST');
          const nextHeaders = { ...headers };
          if (toGet) for (const name of ['content-type', 'content-length']) delete nextHeaders[name];
          if (next.origin !== url.origin) delete nextHeaders.authorization;
          exchange(next, toGet ? 'GET' : method, nextHeaders, toGet ? undefined : body, signal, agents, redirects + 1, false).then(resolve, reject);
          return;
        }
        const raw = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
        decode(raw, res.headers['content-encoding']).then(
          (data) => resolve({ status, statusText: res.statusMessage ?? '', headers: res.headers, rawHeaders: res.rawHeaders, url: url.href, data, redirected: redirects > 0 }),
          (error: unknown) => reject(new TypeError('fetch failed', { cause: error })),
        );
      });
    });
    request.on('socket', (socket) => {
      const since = idleSince.get(socket);
      assigned = { socket, readBefore: socket.bytesRead, idleMs: since === undefined ? 0 : performance.now() - since };
    });
    request.on('error', (error: NodeJS.ErrnoException) => {
      if (settled) return;
      if (signal?.aborted) return fail(abortReason(signal));
      // A kept-alive socket the server closed for idleness as this request went out: the request was not served.
      const staleClose = assigned !== undefined && assigned.idleMs >= STALE_AFTER_MS && assigned.socket.bytesRead === assigned.readBefore;
      if (!resent && request.reusedSocket && staleClose && (error.code === 'ECONNRESET' || error.code === 'EPIPE')) {
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        exchange(url, method, headers, body, signal, agents, redirects, true).then(resolve, reject);
        return;
      }
      fail(new TypeError('fetch failed', { cause: error }));
    });
    signal?.addEventListener('abort', onAbort, { once: true });
    request.end(body);
  });
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * The request's headers as a flat list (name, value, ...): the lines http.request writes for them
 * given as an object, in the same order: the accept-encoding default, `headers` in their order (their
 * names lower-case, as both callers give them), content-length, then the Host and, for a URL with
 * credentials, the Authorization that Node adds. Node still checks every name and value of a list
 * (ERR_INVALID_HTTP_TOKEN, ERR_INVALID_CHAR), but does not lower-case and store each header again
 * per request: ≈ 11 µs less CPU per request (issue 15). With an `expect` header, which Node treats
 * specially, the object itself (Node's own path).
 */
function headerLines(url: URL, headers: Readonly<Record<string, string>>, body: string | Uint8Array | undefined): string[] | Record<string, string> {
  const sent: Record<string, string> = { 'accept-encoding': 'gzip, deflate, br', ...headers };
  if (body !== undefined) sent['content-length'] = String(typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength);
  if ('expect' in sent) return sent;
  const lines: string[] = [];
  for (const name in sent) lines.push(name, sent[name]!);
  // Node's rules for a header object: Host from the hostname and a port other than the default (url.host, as the URL normalises both), unless given.
  if (!('host' in sent)) lines.push('Host', url.host);
  const auth = addressOf(url).auth;
  if (typeof auth === 'string' && !('authorization' in sent)) lines.push('Authorization', `Basic ${Buffer.from(auth).toString('base64')}`);
  return lines;
}

/** Where a URL points, as http.request reads it (what Node's urlToHttpOptions makes of it); kept per URL object, since a chat client sends every request to one. */
const addresses = new WeakMap<URL, http.RequestOptions>();

function addressOf(url: URL): http.RequestOptions {
  let address = addresses.get(url);
  if (!address) {
    address = {
      protocol: url.protocol,
      // [::1] → ::1, as http.request wants it
      hostname: url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path: `${url.pathname}${url.search}`,
      ...(url.username || url.password ? { auth: `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}` } : {}),
    };
    addresses.set(url, address);
  }
  return address;
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

function responseHeaders(raw: readonly string[]): Headers {
  const headers = new Headers();
  for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i], raw[i + 1]);
  return headers;
}

function decode(data: Buffer, encoding: string | undefined): Promise<Buffer> {
  const coding = encoding?.trim().toLowerCase();
  if (!coding || coding === 'identity' || data.length === 0) return Promise.resolve(data);
  return new Promise((resolve, reject) => {
    const done = (error: Error | null, out: Buffer) => (error ? reject(error) : resolve(out));
    if (coding === 'gzip' || coding === 'x-gzip') zlib.gunzip(data, done);
    else if (coding === 'deflate') zlib.inflate(data, (error, out) => (error ? zlib.inflateRaw(data, done) : resolve(out)));
    else if (coding === 'br') zlib.brotliDecompress(data, done);
    else resolve(data);
  });
}

/**
 * The part of the fetch Response the SDK reads, over a body that has already arrived whole: status,
 * headers (a real Headers), url, and the body as JSON, text, bytes or (made on demand) a stream.
 */
class BufferedResponse {
  readonly ok: boolean;
  readonly type = 'basic';
  #used = false;

  constructor(
    readonly status: number,
    readonly statusText: string,
    readonly headers: Headers,
    readonly url: string,
    readonly data: Buffer,
    readonly redirected: boolean,
  ) {
    this.ok = status >= 200 && status < 300;
  }

  get bodyUsed(): boolean {
    return this.#used;
  }

  get body(): ReadableStream<Uint8Array> | null {
    if (this.data.length === 0) return null;
    const data = this.data;
    return new ReadableStream({ start(controller) { controller.enqueue(new Uint8Array(data)); controller.close(); } });
  }

  #take(): Buffer {
    if (this.#used) throw new TypeError('Body is unusable: Body has already been read');
    this.#used = true;
    return this.data;
  }

  async text(): Promise<string> {
    return this.#take().toString('utf8');
  }

  async json(): Promise<unknown> {
    return JSON.parse(this.#take().toString('utf8'));
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const data = this.#take();
    return data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer;
  }

  async blob(): Promise<Blob> {
    return new Blob([this.#take()], { type: this.headers.get('content-type') ?? '' });
  }

  clone(): BufferedResponse {
    if (this.#used) throw new TypeError('Response.clone: Body has already been consumed.');
    return new BufferedResponse(this.status, this.statusText, new Headers(this.headers), this.url, this.data, this.redirected);
  }
}
