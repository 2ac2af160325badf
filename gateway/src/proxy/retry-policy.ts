// Whether a failed upstream attempt is tried again, and after how long: the route's `retry` (or the service's
// legacy `retries`), the request's method and body, and what the attempt ended with. Pure; the retry budget
// (retry-budget.ts) has the last word.
import { IDEMPOTENT_METHODS, type RouteRetryConfig } from '../config/index.js';
import { errorCode } from './retry.js';
import { upstreamCause } from './upstream-cause.js';

/**
 * How an attempt ended, as far as retrying is concerned: `connect-failure` (no byte of the request left the
 * gateway), `reset` (the connection or stream broke before the response started), `timeout` (the try's
 * backendRequestMs ran out before the response started), an upstream answer of 502/503/504, or anything else.
 */
export type AttemptOutcome = 'connect-failure' | 'reset' | 'timeout' | '502' | '503' | '504' | 'other';

export interface RetryPolicy {
  /** Tries after the first one. */
  readonly attempts: number;
  readonly on: ReadonlySet<AttemptOutcome>;
  /** Base of the exponential backoff, 0 for none. */
  readonly backoffMs: number;
  /** services[].retries: only idempotent methods without a body, on connect failures, without backoff. */
  readonly legacy: boolean;
}

/** The backoff ceiling: 10× the base, but not above 2 s unless the base itself is. */
export const MAX_BACKOFF_MS = 2_000;

/** The policy of a route: its `retry`, or else the service's legacy `retries`. Built once per config. */
export function retryPolicyOf(retry: RouteRetryConfig | undefined, serviceRetries: number): RetryPolicy {
  if (retry === undefined) return { attempts: serviceRetries, on: new Set(['connect-failure']), backoffMs: 0, legacy: true };
  const on = new Set<AttemptOutcome>(retry.on);
  // A try that timed out before its response started is a reset as far as conditions go (Envoy's `reset`).
  if (on.has('reset')) on.add('timeout');
  return { attempts: retry.attempts, on, backoffMs: retry.backoffMs, legacy: false };
}

/** Where the request body stands for a retry. */
export type BodyState =
  /** No body: always replayable. */
  | 'none'
  /** Every byte read so far is still in the replay buffer. */
  | 'replayable'
  /** Bytes went out that cannot be sent again (past the buffer, or the body was not buffered). */
  | 'spent';

/** Causes that only a connection attempt can meet: nothing of the request was written. */
const CONNECT_ONLY_CAUSES: ReadonlySet<string> = new Set(['connection_refused', 'dns_failure']);
/**
 * Causes that are connect failures only when raised while connecting: ETIMEDOUT and EHOSTUNREACH (and the
 * like) also break an established keep-alive socket after a POST was written to it.
 */
const CONNECT_OR_LATER_CAUSES: ReadonlySet<string> = new Set(['connect_timeout', 'unreachable']);
/** Legacy retries (services[].retries) kept today's exact list of errors before any byte. */
const LEGACY_CODES: ReadonlySet<string> = new Set(['ECONNREFUSED', 'UND_ERR_CONNECT_TIMEOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** The syscall of the error (or nested cause) that carries the failure's code, as errorCode finds it. */
function syscallOf(error: unknown): unknown {
  if (error === null || typeof error !== 'object') return undefined;
  if (typeof (error as { code?: unknown }).code === 'string') return (error as { syscall?: unknown }).syscall;
  return syscallOf((error as { cause?: unknown }).cause);
}

/** Whether the failure happened while connecting, before any byte of the request could be written. */
function whileConnecting(error: unknown, cause: string): boolean {
  if (CONNECT_ONLY_CAUSES.has(cause)) return true;
  if (!CONNECT_OR_LATER_CAUSES.has(cause)) return false;
  return errorCode(error) === 'UND_ERR_CONNECT_TIMEOUT' || syscallOf(error) === 'connect';
}

/**
 * How an attempt that failed with `error` (before its response started) ended. A connection that broke after
 * it was made (ETIMEDOUT, EHOSTUNREACH on a kept-alive socket) is a reset: the request may have been processed.
 */
export function failureOutcome(error: unknown): AttemptOutcome {
  const cause = upstreamCause(error);
  if (whileConnecting(error, cause)) return 'connect-failure';
  if (CONNECT_OR_LATER_CAUSES.has(cause)) return 'reset';
  if (cause === 'reset') return 'reset';
  if (cause === 'timeout') return 'timeout';
  return 'other';
}

/** The outcome of an upstream answer with `status`, when it is one a policy may retry on. */
export function statusOutcome(status: number): AttemptOutcome | undefined {
  if (status === 502) return '502';
  if (status === 503) return '503';
  if (status === 504) return '504';
  return undefined;
}

/**
 * Whether the policy allows another try after `retriesDone` retries. Non-idempotent methods are retried
 * only on connect-failure (nothing reached the upstream); a body is replayed only from the replay buffer.
 */
export function mayRetry(policy: RetryPolicy, outcome: AttemptOutcome, method: string, retriesDone: number, body: BodyState, error?: unknown): boolean {
  if (retriesDone >= policy.attempts || body === 'spent') return false;
  if (policy.legacy) {
    // Idempotent and bodiless, so safe on any of these codes wherever they were raised: today's rule, unchanged.
    const code = errorCode(error);
    return body === 'none' && IDEMPOTENT_METHODS.has(method) && code !== undefined && LEGACY_CODES.has(code);
  }
  if (!policy.on.has(outcome)) return false;
  return outcome === 'connect-failure' || IDEMPOTENT_METHODS.has(method);
}

/**
 * The pause before retry number `retry` (1 for the first): exponential from backoffMs with full jitter,
 * uniform in [0, min(backoffMs × 2^(retry-1), ceiling)], the ceiling 10× the base capped at MAX_BACKOFF_MS.
 * `random` returns [0, 1) (Math.random; tests pass their own).
 */
export function backoffDelayMs(policy: RetryPolicy, retry: number, random: () => number): number {
  const base = policy.backoffMs;
  if (base === 0) return 0;
  const ceiling = Math.max(base, Math.min(10 * base, MAX_BACKOFF_MS));
  const exponential = Math.min(base * 2 ** Math.min(retry - 1, 30), ceiling);
  return Math.floor(random() * (exponential + 1));
}
