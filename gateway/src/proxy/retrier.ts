// The retry bookkeeping of one forwarded request, shared by the HTTP/1.1 (forward.ts) and HTTP/2
// (forward-h2.ts) exchanges: the body each attempt sends, whether an attempt that ended with some outcome is
// tried again (retry-policy.ts, then the service's retry-budget.ts), the backoff before it, and the route's
// deadline for the whole exchange.
import type { Readable } from 'node:stream';
import { ReplayableBody, type ReplayMemory } from './replay-body.js';
import type { RetryBudget } from './retry-budget.js';
import { backoffDelayMs, mayRetry, type AttemptOutcome, type BodyState, type RetryPolicy } from './retry-policy.js';

/** The outcome label of novagate_upstream_retries_total. */
export type RetryOutcome = 'retried' | 'budget_exhausted';

export interface RetrySubject {
  readonly method: string;
  readonly retry: RetryPolicy;
  readonly retryBudget: RetryBudget;
  readonly service: { readonly name: string };
  readonly onRetry: (serviceName: string, outcome: RetryOutcome) => void;
  /** Where request bodies kept for a retry are counted, process-wide. */
  readonly replayMemory: ReplayMemory;
}

export class Retrier {
  private retriesDone = 0;
  private backoffTimer: NodeJS.Timeout | undefined;
  private deadlineTimer: NodeJS.Timeout | undefined;
  /** The client's body as attempts send it: replayable only when the policy may retry a request with a body. */
  private readonly body: Readable | ReplayableBody | undefined;

  constructor(
    private readonly subject: RetrySubject,
    body: Readable | undefined,
  ) {
    const { retry } = subject;
    this.body = body !== undefined && retry.attempts > 0 && !retry.legacy ? new ReplayableBody(body, subject.replayMemory) : body;
    subject.retryBudget.recordRequest();
  }

  /**
   * The request body for the next attempt (undefined when the request has none), or 'spent' when the body can
   * no longer be sent again (the client's body failed, or the replay memory let it go): the attempt must not start.
   */
  attemptBody(): Readable | undefined | 'spent' {
    if (!(this.body instanceof ReplayableBody)) return this.body;
    return this.body.attempt() ?? 'spent';
  }

  private bodyState(): BodyState {
    if (this.body === undefined) return 'none';
    return this.body instanceof ReplayableBody && this.body.replayable ? 'replayable' : 'spent';
  }

  /** Whether an attempt that ended with `outcome` is tried again; a retry made or refused by the budget is reported. */
  shouldRetry(outcome: AttemptOutcome, error?: unknown): boolean {
    const { subject } = this;
    if (!mayRetry(subject.retry, outcome, subject.method, this.retriesDone, this.bodyState(), error)) return false;
    if (!subject.retryBudget.tryRetry()) {
      subject.onRetry(subject.service.name, 'budget_exhausted');
      return false;
    }
    subject.onRetry(subject.service.name, 'retried');
    this.retriesDone++;
    // The attempt being given up reads no more of the client's body: the retry must be able to send it all.
    if (this.body instanceof ReplayableBody) this.body.detach();
    return true;
  }

  /** Starts the retry just decided by shouldRetry, after its backoff. */
  retryAfterBackoff(next: () => void): void {
    const delay = backoffDelayMs(this.subject.retry, this.retriesDone, Math.random);
    if (delay === 0) return next();
    this.backoffTimer = setTimeout(() => {
      this.backoffTimer = undefined;
      next();
    }, delay);
  }

  /** The response started: nothing will be retried, so a kept body is let go now rather than at the end. */
  responseStarted(): void {
    if (this.body instanceof ReplayableBody) this.body.drop();
  }

  /** Calls `expired` once `ms` have passed, unless stop() came first. */
  startDeadline(ms: number, expired: () => void): void {
    this.deadlineTimer = setTimeout(expired, ms);
  }

  /** The exchange is decided (answered, failed, expired or the client left): no timer of it fires anymore. */
  stop(): void {
    clearTimeout(this.deadlineTimer);
    clearTimeout(this.backoffTimer);
    this.backoffTimer = undefined;
    if (this.body instanceof ReplayableBody) this.body.drop();
  }
}
