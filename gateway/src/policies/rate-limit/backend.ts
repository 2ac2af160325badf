// The counter store behind the rate limiter. One call checks and counts every counter of a request
// atomically: either all are under their limit and all are incremented, or none is.

export interface CounterSpec {
  key: string;
  limit: number;
  /** How long the key must live, ms (the window plus a margin). */
  ttlMs: number;
}

/** allowed: counts after increment, one per counter; denied: the index of the first full counter and its count. */
export type CounterOutcome = { allowed: true; counts: number[] } | { allowed: false; index: number; count: number };

export interface RateLimitBackend {
  hit(counters: readonly CounterSpec[]): Promise<CounterOutcome>;
}
