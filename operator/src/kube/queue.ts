// A work queue per kind (client-go's workqueue): deduplicated keys, a key never processed twice at once,
// exponential backoff with a cap after an error, delayed re-adds, and bounded concurrency.

export interface ReconcileOutcome {
  /** Reconcile again after this long (polling state that sends no event, such as gateway acks). */
  requeueAfterMs?: number;
}

export type Reconcile = (key: string) => Promise<ReconcileOutcome | void>;

export interface WorkQueueOptions {
  concurrency: number;
  /** First retry delay after an error; doubles per consecutive failure of the same key. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  onResult?: (result: 'success' | 'error', seconds: number, key: string, error?: unknown) => void;
  onDepth?: (depth: number) => void;
}

/** The delay before retry number `failures` (1-based): base · 2^(failures-1), capped. */
export function backoffDelay(failures: number, baseDelayMs: number, maxDelayMs: number): number {
  return Math.min(maxDelayMs, baseDelayMs * 2 ** Math.min(Math.max(failures - 1, 0), 30));
}

export class WorkQueue {
  private readonly queue: string[] = [];
  /** Keys waiting to be processed (in `queue`, or to be re-queued when their current run ends). */
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly timers = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private readonly idleWaiters = new Set<() => void>();
  private running = false;
  private active = 0;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;

  constructor(
    private readonly reconcile: Reconcile,
    private readonly options: WorkQueueOptions,
  ) {
    this.baseDelayMs = options.baseDelayMs ?? 100;
    this.maxDelayMs = options.maxDelayMs ?? 60_000;
  }

  get depth(): number {
    return this.queue.length;
  }

  start(): void {
    this.running = true;
    this.pump();
  }

  /** Stops taking work, drops pending timers and waits for the reconciles in flight. */
  async stop(): Promise<void> {
    this.running = false;
    for (const { timer } of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    if (this.active > 0) await new Promise<void>((resolve) => this.idleWaiters.add(resolve));
  }

  add(key: string): void {
    if (this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return; // re-queued when the current run ends
    this.queue.push(key);
    this.options.onDepth?.(this.queue.length);
    this.pump();
  }

  /** Adds the key after `delayMs`; an earlier pending re-add wins over a later one. */
  addAfter(key: string, delayMs: number): void {
    if (!this.running) return;
    const at = Date.now() + delayMs;
    const pending = this.timers.get(key);
    if (pending !== undefined) {
      if (pending.at <= at) return;
      clearTimeout(pending.timer);
    }
    const timer = setTimeout(() => {
      this.timers.delete(key);
      this.add(key);
    }, delayMs);
    timer.unref();
    this.timers.set(key, { at, timer });
  }

  /** Consecutive failures of a key so far (0 after a success). */
  failuresOf(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  private pump(): void {
    while (this.running && this.active < this.options.concurrency && this.queue.length > 0) {
      const key = this.queue.shift() as string;
      this.options.onDepth?.(this.queue.length);
      this.dirty.delete(key);
      this.processing.add(key);
      this.active += 1;
      void this.process(key);
    }
  }

  private async process(key: string): Promise<void> {
    const started = process.hrtime.bigint();
    const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
    try {
      const outcome = await this.reconcile(key);
      this.failures.delete(key);
      this.options.onResult?.('success', seconds(), key);
      if (outcome?.requeueAfterMs !== undefined) this.addAfter(key, outcome.requeueAfterMs);
    } catch (error) {
      const failures = (this.failures.get(key) ?? 0) + 1;
      this.failures.set(key, failures);
      this.options.onResult?.('error', seconds(), key, error);
      this.addAfter(key, backoffDelay(failures, this.baseDelayMs, this.maxDelayMs));
    } finally {
      this.processing.delete(key);
      this.active -= 1;
      if (this.dirty.has(key) && this.running) {
        this.queue.push(key);
        this.options.onDepth?.(this.queue.length);
      }
      if (this.active === 0) for (const wake of this.idleWaiters) wake();
      if (this.active === 0) this.idleWaiters.clear();
      this.pump();
    }
  }
}
