/**
 * A loopback OpenAI-compatible server for tests and benchmarks: plain node:http on 127.0.0.1, port 0.
 *
 *   const server = await startOpenAIServer({ responder: nearestLabelResponder(points) });
 *   // point a model entry at it: { provider: openai, model: test, baseURL: server.url }
 *   server.faults.push({ type: 'status', status: 429, retryAfterSeconds: 1 });   // the next request gets a 429
 *   server.requests.total; server.requests.forPrompt(messages);
 *   await server.close();
 *
 * Endpoints: POST /v1/chat/completions (answers come from the pluggable `responder`) and
 * POST /v1/embeddings (deterministic unit vectors derived from a hash of each input text, so
 * embedder tests get stable, text-dependent vectors). Anything else is a 404 in OpenAI's error shape.
 *
 * Faults are injected per request, either from the `faults` queue (first in, first out; each
 * fault is used once) or from `rule` (a function of the request, consulted when the queue is empty).
 *
 * Like many real servers (llama.cpp, LM Studio, vLLM without guided decoding, older Ollama), it
 * accepts `response_format` and answers whatever the responder says: a responder may return plain
 * text to a JSON-schema request, or a full `ChatReply` with a reasoning field, a refusal, no content
 * or `finish_reason: length` (test/helpers/answer-styles.ts renders the shapes real model families
 * send). `refuseResponseFormat()` makes it a server that rejects the parameter with a 400.
 *
 * Rate-limit mode (`rateLimit`, changeable mid-run with `setRateLimit`): a token bucket for requests
 * and one for tokens, as OpenAI enforces them, with OpenAI's headers on every chat answer
 * (`x-ratelimit-{limit,remaining,reset}-{requests,tokens}`) and a 429 with Retry-After past them;
 * `requests.log` records each chat request's arrival and whether it was limited.
 * Outside that mode every answer still carries OpenAI's `x-ratelimit-*` headers (a 429 with the
 * exhausted side), as the real service sends them, whether or not a fault adds Retry-After; they
 * announce a limit (60,000 requests a minute) far above any test's pace.
 */
import http from 'node:http';
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';

export interface ChatMessageBody {
  readonly role: string;
  readonly content: string;
}

/** The parts of a chat completion request the server looks at. */
export interface ChatCompletionBody {
  readonly model: string;
  readonly messages: readonly ChatMessageBody[];
  readonly temperature?: number;
  readonly top_p?: number;
  readonly max_tokens?: number;
  readonly seed?: number;
  readonly response_format?: {
    readonly type: string;
    readonly json_schema?: { readonly name: string; readonly schema?: Record<string, unknown> };
  };
}

/** What the server does to one request instead of (or before) answering it normally. */
export type Fault =
  /**
   * An error status, optionally with `Retry-After` (seconds or an HTTP date) or `retry-after-ms`.
   * The body is OpenAI's error shape (`{ error: { message, type, param, code } }`) with `message`
   * and `param` when given, or exactly `body` (other servers' shapes).
   */
  | {
    readonly type: 'status'; readonly status: number; readonly retryAfterSeconds?: number; readonly retryAfterDate?: Date; readonly retryAfterMs?: number;
    readonly message?: string; readonly param?: string; readonly body?: unknown;
  }
  /** Answer normally, but only after `ms` (longer than the client's timeout makes a timeout). */
  | { readonly type: 'delay'; readonly ms: number }
  /** HTTP 200 with a truncated, unparseable JSON body. */
  | { readonly type: 'malformed-json' }
  /** HTTP 200 with `choices: []`. */
  | { readonly type: 'empty-choices' }
  /**
   * A refusal sentence in place of the answer: as content text for plain requests; for JSON-schema
   * requests as OpenAI sends it, in `message.refusal` with `content: null`.
   */
  | { readonly type: 'refusal'; readonly text?: string }
  /** Destroy the socket without an answer (a network error). */
  | { readonly type: 'disconnect' };

/** A whole reply, for answers that are more than content text. */
export interface ChatReply {
  /** null: the message has no content (as with an OpenAI refusal). */
  readonly content: string | null;
  /** DeepSeek / vLLM / llama.cpp / LM Studio's field for reasoning beside the content. */
  readonly reasoning_content?: string;
  /** Ollama / OpenRouter's name for it. */
  readonly reasoning?: string;
  /** OpenAI's refusal field (structured output). */
  readonly refusal?: string;
  /** @default 'stop' */
  readonly finish_reason?: 'stop' | 'length' | 'content_filter';
}

/** Answer text (or a whole reply) for a request; for JSON-schema requests wrap text with `structuredAnswer` to comply. */
export type Responder = (request: ChatCompletionBody) => string | ChatReply | Promise<string | ChatReply>;

/**
 * The server's rate limits: token buckets refilled continuously at the per-minute rates. A request
 * costs 1 request and its tokens (prompt characters / 4, rounded up, plus `max_tokens`, 16 when
 * absent); one that does not fit gets a 429 and costs nothing.
 */
export interface RateLimitMode {
  readonly requestsPerMinute: number;
  /** @default unlimited */
  readonly tokensPerMinute?: number;
  /** Bucket size, in seconds of the rate: what may pass at once after a quiet spell. @default 60 (a whole minute, as OpenAI) */
  readonly burstSeconds?: number;
  /** Send the x-ratelimit-* headers. @default true */
  readonly headers?: boolean;
  /** What a 429 says about when to come back: `ms` (retry-after-ms and Retry-After), `seconds` (Retry-After, whole seconds), `none`. @default 'ms' */
  readonly retryAfter?: 'ms' | 'seconds' | 'none';
}

/** One chat request as the rate limiter saw it. */
export interface LoggedRequest {
  /** Arrival, ms since the epoch. */
  readonly at: number;
  readonly limited: boolean;
  /** What the request cost in tokens (or would have, when limited). */
  readonly tokens: number;
}

export interface OpenAIServerOptions {
  /** @default fixedResponder('neutral') */
  readonly responder?: Responder;
  /** Added to every reply (benchmarks simulate server latency with it). @default 0 */
  readonly latencyMs?: number;
  /** Length of /v1/embeddings vectors when the request does not say `dimensions`. @default 16 */
  readonly embeddingDimensions?: number;
  readonly rateLimit?: RateLimitMode;
}

export interface RequestCounts {
  /** Every request that reached the server, faulted or not. */
  total: number;
  chat: number;
  embeddings: number;
  /** Chat requests for a prompt (the messages array), whatever the model or sampling settings. */
  forPrompt(messages: readonly ChatMessageBody[]): number;
  /** The chat request bodies, in arrival order. */
  readonly bodies: ChatCompletionBody[];
  /** The Authorization header of every request, in arrival order (tests check which key was sent). */
  readonly authorizations: (string | undefined)[];
  /** Chat requests as the rate limiter saw them, in arrival order (rate-limit mode only). */
  readonly log: LoggedRequest[];
}

export interface OpenAIServer {
  /** Base URL including `/v1`, ready for a model entry's `baseURL`. */
  readonly url: string;
  readonly requests: RequestCounts;
  /** Faults for the next requests, used once each in order. */
  readonly faults: Fault[];
  /** Consulted when `faults` is empty; return undefined for a normal answer. */
  rule: ((request: ChatCompletionBody) => Fault | undefined) | undefined;
  responder: Responder;
  latencyMs: number;
  /** Switches the rate-limit mode (undefined: off); the buckets keep their level, within the new size. */
  setRateLimit(mode: RateLimitMode | undefined): void;
  /**
   * Holds every chat answer until `count` chat requests are waiting at once, then releases them all
   * (later requests are answered as usual). A barrier, so "these calls were all in flight" holds on
   * a loaded machine, where a fixed latency may not.
   */
  holdUntilInFlight(count: number): void;
  /** Zeroes the counters (the fault queue and rule are kept). */
  resetCounts(): void;
  /**
   * Back to the state the server started in: counters zeroed, no queued fault, no rule, no hold, the
   * starting responder and latency. Files sharing one server call it before each test, so no test
   * sees what another left behind.
   */
  reset(): void;
  close(): Promise<void>;
}

export const REFUSAL_TEXT = "I'm sorry, but I can't help with identifying emotions from this description.";

/** Hash of a prompt's messages: the key of `requests.forPrompt`. */
export function promptHash(messages: readonly ChatMessageBody[]): string {
  return createHash('sha256').update(JSON.stringify(messages.map((m) => [m.role, m.content]))).digest('hex');
}

/** Always answers `text`. */
export function fixedResponder(text: string): Responder {
  return (request) => structuredAnswer(request, text);
}

/** Reads "valence … <number>" and "arousal … <number>" from the last user message. */
export function vaOfPrompt(request: ChatCompletionBody): [number, number] | undefined {
  const text = [...request.messages].reverse().find((m) => m.role === 'user')?.content ?? '';
  const v = /valence[^-\d]{0,20}(-?\d+(?:\.\d+)?)/i.exec(text);
  const a = /arousal[^-\d]{0,20}(-?\d+(?:\.\d+)?)/i.exec(text);
  return v && a ? [Number(v[1]), Number(a[1])] : undefined;
}

/** The labels ordered by distance from a point, nearest first (ties in the points' order). */
export function labelsByDistance(points: Readonly<Record<string, readonly [number, number]>>, va: readonly [number, number]): string[] {
  const distance = (label: string) => (points[label]![0] - va[0]) ** 2 + (points[label]![1] - va[1]) ** 2;
  return Object.keys(points).map((label, index) => ({ label, index, d: distance(label) }))
    .sort((a, b) => a.d - b.d || a.index - b.index).map((x) => x.label);
}

/**
 * Answers the label whose point is nearest the prompt's valence and arousal (a well-behaved model,
 * for end-to-end tests). Without numbers it answers the first label.
 */
export function nearestLabelResponder(points: Readonly<Record<string, readonly [number, number]>>): Responder {
  return (request) => {
    const va = vaOfPrompt(request);
    return structuredAnswer(request, (va ? labelsByDistance(points, va)[0] : Object.keys(points)[0]) ?? 'neutral');
  };
}

/**
 * For a JSON-schema request, the answer as JSON matching the schema's shape: `{"label": x}` when the
 * schema has a `label` property, `{"labels": [x]}` for `labels`, `{"text": x}` for `text`; plain
 * text otherwise.
 */
export function structuredAnswer(request: ChatCompletionBody, answer: string): string {
  const properties = request.response_format?.json_schema?.schema?.properties;
  if (request.response_format?.type !== 'json_schema' || !properties || typeof properties !== 'object') return answer;
  if ('label' in properties) return JSON.stringify({ label: answer });
  if ('labels' in properties) return JSON.stringify({ labels: [answer] });
  if ('text' in properties) return JSON.stringify({ text: answer });
  return JSON.stringify({ answer });
}

/** The 400 a server sends when it does not support `response_format`, in the error shapes of real servers. */
export const RESPONSE_FORMAT_REFUSALS = {
  /** OpenAI (and proxies copying it): the parameter named in `param`. */
  openai: { message: "Invalid parameter: 'response_format' of type 'json_schema' is not supported with this model.", param: 'response_format' },
  /** llama.cpp server builds without JSON-schema support: OpenAI's shape, no param. */
  llamacpp: { body: { error: { code: 400, message: 'Unsupported response_format type: json_schema', type: 'invalid_request_error' } } },
  /** LM Studio: `error` is a plain string. */
  lmstudio: { body: { error: "'response_format.type' must be 'json_schema' or 'text'; structured output is not available for this model" } },
  /** vLLM: the message at the top level, which the OpenAI SDK cannot read ("400 status code (no body)"). */
  vllm: { body: { object: 'error', message: 'guided decoding backend not available for response_format json_schema', type: 'BadRequestError', param: null, code: 400 } },
} as const;

/** A rule for `server.rule`: every request carrying `response_format` gets that server's 400 (filtered by `when`). */
export function refuseResponseFormat(
  shape: keyof typeof RESPONSE_FORMAT_REFUSALS = 'openai',
  when: (request: ChatCompletionBody) => boolean = () => true,
): (request: ChatCompletionBody) => Fault | undefined {
  return (request) => (request.response_format !== undefined && when(request) ? { type: 'status', status: 400, ...RESPONSE_FORMAT_REFUSALS[shape] } : undefined);
}

/** A deterministic unit vector for a text (sha256-seeded). */
export function embeddingFor(text: string, dimensions: number): number[] {
  const out: number[] = [];
  let block = createHash('sha256').update(text).digest();
  while (out.length < dimensions) {
    for (let i = 0; i + 1 < block.length && out.length < dimensions; i += 2) out.push(block.readUInt16BE(i) / 32768 - 1);
    block = createHash('sha256').update(block).digest();
  }
  const norm = Math.hypot(...out) || 1;
  return out.map((x) => x / norm);
}

/** A token bucket refilled at `perMinute`, holding at most `capacity`. */
class ServerBucket {
  level: number;
  at = Date.now();
  constructor(public perMinute: number, public capacity: number) {
    this.level = capacity;
  }
  refill(now: number): void {
    this.level = Math.min(this.capacity, this.level + ((now - this.at) * this.perMinute) / 60_000);
    this.at = now;
  }
  /** ms until `cost` fits (0: it fits now). */
  waitMs(cost: number): number {
    return this.level >= cost ? 0 : Math.ceil(((cost - this.level) * 60_000) / this.perMinute);
  }
  /** ms until the bucket is full again. */
  resetMs(): number {
    return Math.ceil(((this.capacity - this.level) * 60_000) / this.perMinute);
  }
}

/** A duration as OpenAI writes its reset headers: "1s", "20ms", "1m30s". */
function goDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = (ms - minutes * 60_000) / 1000;
  return `${minutes > 0 ? `${minutes}m` : ''}${Number(seconds.toFixed(3))}s`;
}

function countTokens(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}

export async function startOpenAIServer(options: OpenAIServerOptions = {}): Promise<OpenAIServer> {
  const byPrompt = new Map<string, number>();
  const bodies: ChatCompletionBody[] = [];
  const authorizations: (string | undefined)[] = [];
  const counts = { total: 0, chat: 0, embeddings: 0 };
  const sockets = new Set<import('node:net').Socket>();
  const embeddingDimensions = options.embeddingDimensions ?? 16;
  const log: LoggedRequest[] = [];
  let limits: { mode: RateLimitMode; requests: ServerBucket; tokens?: ServerBucket } | undefined;
  const setRateLimit = (mode: RateLimitMode | undefined) => {
    if (!mode) return void (limits = undefined);
    const burst = (mode.burstSeconds ?? 60) / 60;
    const now = Date.now();
    const resize = (bucket: ServerBucket | undefined, perMinute: number): ServerBucket => {
      if (!bucket) return new ServerBucket(perMinute, Math.max(1, perMinute * burst));
      bucket.refill(now);
      bucket.perMinute = perMinute;
      bucket.capacity = Math.max(1, perMinute * burst);
      bucket.level = Math.min(bucket.level, bucket.capacity);
      return bucket;
    };
    limits = {
      mode,
      requests: resize(limits?.requests, mode.requestsPerMinute),
      tokens: mode.tokensPerMinute ? resize(limits?.tokens, mode.tokensPerMinute) : undefined,
    };
  };
  setRateLimit(options.rateLimit);

  /** Takes the request from the buckets, or says how long until it would fit; the headers describe the buckets after. */
  function rateCheck(body: ChatCompletionBody): { limitedForMs?: number; headers: Record<string, string> } {
    if (!limits) return { headers: {} };
    const now = Date.now();
    const tokens = Math.ceil(body.messages.reduce((n, m) => n + m.content.length, 0) / 4) + (body.max_tokens ?? 16);
    limits.requests.refill(now);
    limits.tokens?.refill(now);
    const wait = Math.max(limits.requests.waitMs(1), limits.tokens ? limits.tokens.waitMs(Math.min(tokens, limits.tokens.capacity)) : 0);
    if (wait === 0) {
      limits.requests.level -= 1;
      if (limits.tokens) limits.tokens.level -= tokens;
    }
    log.push({ at: now, limited: wait > 0, tokens });
    const headers: Record<string, string> = {};
    if (limits.mode.headers !== false) {
      const describe = (name: string, bucket: ServerBucket) => {
        headers[`x-ratelimit-limit-${name}`] = String(bucket.perMinute);
        headers[`x-ratelimit-remaining-${name}`] = String(Math.max(0, Math.floor(bucket.level)));
        headers[`x-ratelimit-reset-${name}`] = goDuration(bucket.resetMs());
      };
      describe('requests', limits.requests);
      if (limits.tokens) describe('tokens', limits.tokens);
    }
    if (wait > 0) {
      const style = limits.mode.retryAfter ?? 'ms';
      if (style === 'ms') headers['retry-after-ms'] = String(wait);
      if (style !== 'none') headers['retry-after'] = String(Math.ceil(wait / 1000));
    }
    return { ...(wait > 0 ? { limitedForMs: wait } : {}), headers };
  }

  let hold: { count: number; waiting: (() => void)[] } | undefined;
  const state: Omit<OpenAIServer, 'url' | 'close'> = {
    requests: {
      get total() { return counts.total; },
      get chat() { return counts.chat; },
      get embeddings() { return counts.embeddings; },
      forPrompt: (messages) => byPrompt.get(promptHash(messages)) ?? 0,
      bodies,
      authorizations,
      log,
    },
    faults: [],
    rule: undefined,
    responder: options.responder ?? fixedResponder('neutral'),
    latencyMs: options.latencyMs ?? 0,
    setRateLimit,
    holdUntilInFlight(count) {
      hold = { count, waiting: [] };
    },
    resetCounts() {
      counts.total = counts.chat = counts.embeddings = 0;
      byPrompt.clear();
      bodies.length = 0;
      authorizations.length = 0;
      log.length = 0;
    },
    reset() {
      state.resetCounts();
      state.faults.length = 0;
      state.rule = undefined;
      state.responder = options.responder ?? fixedResponder('neutral');
      state.latencyMs = options.latencyMs ?? 0;
      hold = undefined;
    },
  };

  // OpenAI sends its rate-limit state with every answer; a 429 shows the exhausted side. Outside
  // rate-limit mode (whose buckets describe themselves, or stay silent with `headers: false`) the
  // server enforces no limit, so it announces one far above any test's pace: the client's limiter
  // mirrors these headers, and a limit that runs out would pace every test that uses the server.
  function rateLimitHeaders(status: number): Record<string, string> {
    if (limits) return {};
    const limited = status === 429;
    return {
      'x-ratelimit-limit-requests': '60000',
      'x-ratelimit-limit-tokens': '10000000',
      'x-ratelimit-remaining-requests': limited ? '0' : '59999',
      'x-ratelimit-remaining-tokens': limited ? '0' : '9999000',
      'x-ratelimit-reset-requests': limited ? '1s' : '1ms',
      'x-ratelimit-reset-tokens': limited ? '7.2s' : '6ms',
    };
  }

  function send(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    if (res.destroyed) return;
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...rateLimitHeaders(status), ...headers });
    res.end(text);
  }

  function wait(ms: number, res: http.ServerResponse): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      res.once('close', () => { clearTimeout(timer); resolve(); });
    });
  }

  function held(): Promise<void> {
    const barrier = hold;
    if (!barrier) return Promise.resolve();
    return new Promise((resolve) => {
      barrier.waiting.push(resolve);
      if (barrier.waiting.length < barrier.count) return;
      hold = undefined;
      for (const release of barrier.waiting) release();
    });
  }

  async function chat(body: ChatCompletionBody, res: http.ServerResponse, req: http.IncomingMessage): Promise<void> {
    counts.chat++;
    bodies.push(body);
    const hash = promptHash(body.messages);
    byPrompt.set(hash, (byPrompt.get(hash) ?? 0) + 1);
    const rate = rateCheck(body);
    if (rate.limitedForMs !== undefined) {
      send(res, 429, { error: { message: `Rate limit reached for requests: try again in ${rate.limitedForMs}ms`, type: 'requests', param: null, code: 'rate_limit_exceeded' } }, rate.headers);
      return;
    }
    const fault = state.faults.shift() ?? state.rule?.(body);
    await held();
    await wait(state.latencyMs, res);
    if (fault?.type === 'delay') await wait(fault.ms, res);
    if (res.destroyed) return;
    if (fault?.type === 'disconnect') {
      req.socket.destroy();
      return;
    }
    if (fault?.type === 'status') {
      const headers: Record<string, string> = {};
      if (fault.retryAfterSeconds !== undefined) headers['retry-after'] = String(fault.retryAfterSeconds);
      if (fault.retryAfterDate !== undefined) headers['retry-after'] = fault.retryAfterDate.toUTCString();
      if (fault.retryAfterMs !== undefined) headers['retry-after-ms'] = String(fault.retryAfterMs);
      const type = fault.status === 429 ? 'rate_limit_exceeded' : fault.status >= 500 ? 'server_error' : 'invalid_request_error';
      const body = fault.body ?? { error: { message: fault.message ?? `injected ${fault.status}`, type, param: fault.param ?? null, code: type } };
      send(res, fault.status, body, headers);
      return;
    }
    if (fault?.type === 'malformed-json') {
      send(res, 200, '{"id":"chatcmpl-broken","object":"chat.completion","choices":[{"index":0,"message":{"role":"assis');
      return;
    }
    const structured = body.response_format?.type === 'json_schema';
    let reply: ChatReply;
    if (fault?.type === 'refusal') {
      const refusal = fault.text ?? REFUSAL_TEXT;
      reply = structured ? { content: null, refusal } : { content: refusal };
    } else {
      const answer = await state.responder(body);
      reply = typeof answer === 'string' ? { content: answer } : answer;
    }
    const { finish_reason: finishReason = 'stop', ...message } = reply;
    const promptTokens = body.messages.reduce((n, m) => n + countTokens(m.content), 0);
    const completionTokens = countTokens([reply.content, reply.refusal, reply.reasoning_content, reply.reasoning].filter(Boolean).join(' '));
    send(res, 200, {
      id: `chatcmpl-${hash.slice(0, 12)}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: body.model,
      choices: fault?.type === 'empty-choices' ? [] : [
        { index: 0, message: { role: 'assistant', refusal: null, ...message }, logprobs: null, finish_reason: finishReason },
      ],
      usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
    }, rate.headers);
  }

  function embeddings(body: { input?: unknown; model?: string; dimensions?: number }, res: http.ServerResponse): void {
    counts.embeddings++;
    const inputs = Array.isArray(body.input) ? body.input : [body.input];
    const dimensions = body.dimensions ?? embeddingDimensions;
    const data = inputs.map((input, index) => ({ object: 'embedding', index, embedding: embeddingFor(String(input), dimensions) }));
    const tokens = inputs.reduce<number>((n, input) => n + countTokens(String(input)), 0);
    send(res, 200, { object: 'list', data, model: body.model ?? 'test-embedding', usage: { prompt_tokens: tokens, total_tokens: tokens } });
  }

  const server = http.createServer((req, res) => {
    counts.total++;
    authorizations.push(req.headers.authorization);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        send(res, 400, { error: { message: 'request body is not JSON', type: 'invalid_request_error' } });
        return;
      }
      const route = `${req.method} ${req.url?.split('?')[0]}`;
      if (route === 'POST /v1/chat/completions') {
        chat(body as ChatCompletionBody, res, req).catch((error: unknown) => send(res, 500, { error: { message: String(error), type: 'server_error' } }));
      } else if (route === 'POST /v1/embeddings') {
        embeddings(body as { input?: unknown }, res);
      } else {
        send(res, 404, { error: { message: `no route ${route}`, type: 'invalid_request_error' } });
      }
    });
  });
  server.keepAliveTimeout = 30_000;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return Object.assign(state, {
    url: `http://127.0.0.1:${port}/v1`,
    close: () => new Promise<void>((resolve, reject) => {
      for (const socket of sockets) socket.destroy();
      server.close((error) => (error ? reject(error) : resolve()));
    }),
  });
}
