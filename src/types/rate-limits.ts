/** Where the request rate a provider's limiter keeps to comes from. */
export type LimitSource = 'configured' | 'server' | 'learned';

/** How a provider's limiter limits right now (the progress display shows it). */
export interface LimiterSnapshot {
  /** Calls started per second, over the last five seconds. */
  readonly requestsPerSecond: number;
  /** The request rate kept to (the lowest of the configured, the server's and the learned one). */
  readonly requestLimit?: { readonly perMinute: number; readonly source: LimitSource };
  readonly tokenLimit?: { readonly perMinute: number; readonly source: Exclude<LimitSource, 'learned'> };
  readonly inFlight: number;
  readonly waiting: number;
  /** Congestion events: 429s that made the limiter slow down. */
  readonly slowdowns: number;
}

/** What one provider's progress line says: its request rate now and, when its limit is known, the limit and the ETA it allows. */
export interface ProviderLine {
  readonly provider: string;
  readonly requestsPerSecond: number;
  readonly limitPerMinute?: number;
  readonly limitSource?: string;
  readonly tokensPerMinute?: number;
  /** Items still to settle in the running tasks of this provider's models. */
  readonly itemsLeft: number;
  readonly etaSeconds?: number;
}

/** One provider's calls as its limiter sees them, for the progress display. */
export interface ProviderRate {
  readonly provider: string;
  /** The model ids that called through this provider so far. */
  readonly models: readonly string[];
  readonly snapshot: LimiterSnapshot;
}
