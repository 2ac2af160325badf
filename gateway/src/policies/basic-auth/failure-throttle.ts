// Failed basic-auth attempts per client IP in fixed one-minute windows: past `limit` the address gets 429 with
// Retry-After until its window ends, before any bcrypt runs. The map holds at most `maxAddresses` entries:
// expired windows go first, then the oldest, so a flood of distinct addresses costs bounded memory (it can
// push an address out early, which only forgets its count; the global bcrypt cap still bounds the work).

export interface FailureThrottleOptions {
  /** Failures allowed per address per window. */
  limit: number;
  windowMs: number;
  maxAddresses: number;
  /** Milliseconds since the epoch. */
  now: () => number;
}

interface Window {
  start: number;
  failures: number;
}

export class FailureThrottle {
  private readonly windows = new Map<string, Window>();

  constructor(private readonly options: FailureThrottleOptions) {}

  /** Seconds until `address` may try again, or 0 when it may try now. */
  retryAfterSeconds(address: string): number {
    const window = this.windows.get(address);
    if (window === undefined) return 0;
    const now = this.options.now();
    const ends = window.start + this.options.windowMs;
    if (now >= ends) {
      this.windows.delete(address);
      return 0;
    }
    return window.failures >= this.options.limit ? Math.max(1, Math.ceil((ends - now) / 1000)) : 0;
  }

  /** Counts one failure (or one attempt not yet decided, see refund). */
  record(address: string): void {
    const now = this.options.now();
    const window = this.windows.get(address);
    if (window !== undefined && now < window.start + this.options.windowMs) {
      window.failures++;
      return;
    }
    if (window !== undefined) this.windows.delete(address);
    this.makeRoom(now);
    // Insertion order is window-start order, which makeRoom relies on.
    this.windows.set(address, { start: now, failures: 1 });
  }

  /** Takes back one count: an attempt counted up front that turned out to succeed. */
  refund(address: string): void {
    const window = this.windows.get(address);
    if (window !== undefined && window.failures > 0) window.failures--;
  }

  get size(): number {
    return this.windows.size;
  }

  private makeRoom(now: number): void {
    if (this.windows.size < this.options.maxAddresses) return;
    for (const [address, window] of this.windows) {
      if (this.windows.size < this.options.maxAddresses && now < window.start + this.options.windowMs) return;
      this.windows.delete(address);
    }
  }
}
