// The retry budget of one service: retries stay a bounded share of its requests, so that retrying never
// multiplies the load on an upstream that is already failing. Each second, the first MIN_RETRIES_PER_SECOND
// retries are free (so a service with little traffic can still retry); beyond those, retries within the sliding
// window of WINDOW_SECONDS stay below RATIO × its requests. Fixed memory: one slot per second.

export const RETRY_BUDGET_RATIO = 0.2;
export const RETRY_BUDGET_WINDOW_SECONDS = 10;
export const MIN_RETRIES_PER_SECOND = 3;

export class RetryBudget {
  private readonly second: Float64Array;
  private readonly requests: Uint32Array;
  private readonly retries: Uint32Array;

  constructor(
    /** Milliseconds; Date.now unless a test drives the clock. */
    private readonly now: () => number = Date.now,
    private readonly ratio = RETRY_BUDGET_RATIO,
    private readonly windowSeconds = RETRY_BUDGET_WINDOW_SECONDS,
    private readonly minPerSecond = MIN_RETRIES_PER_SECOND,
  ) {
    this.second = new Float64Array(windowSeconds).fill(-1);
    this.requests = new Uint32Array(windowSeconds);
    this.retries = new Uint32Array(windowSeconds);
  }

  /** A request (its first attempt) to the service. */
  recordRequest(): void {
    const slot = this.slotOf(Math.floor(this.now() / 1000));
    this.requests[slot] = (this.requests[slot] as number) + 1;
  }

  /** Whether one more retry fits the budget; if it does it is counted. */
  tryRetry(): boolean {
    const current = Math.floor(this.now() / 1000);
    const slot = this.slotOf(current);
    if ((this.retries[slot] as number) >= this.minPerSecond) {
      let requests = 0;
      /** Retries beyond each second's free ones. */
      let counted = 0;
      for (let i = 0; i < this.windowSeconds; i++) {
        if (current - (this.second[i] as number) >= this.windowSeconds) continue;
        requests += this.requests[i] as number;
        counted += Math.max(0, (this.retries[i] as number) - this.minPerSecond);
      }
      if (counted >= this.ratio * requests) return false;
    }
    this.retries[slot] = (this.retries[slot] as number) + 1;
    return true;
  }

  /** The slot of `second`, emptied first when it still holds an older second. */
  private slotOf(second: number): number {
    const slot = second % this.windowSeconds;
    if (this.second[slot] !== second) {
      this.second[slot] = second;
      this.requests[slot] = 0;
      this.retries[slot] = 0;
    }
    return slot;
  }
}
