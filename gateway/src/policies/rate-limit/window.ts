// Fixed-window arithmetic of the rate limiter: pure functions of the clock, shared by both backends.

export interface WindowPosition {
  /** Window start, in seconds since the epoch: the last part of the Redis key. */
  startSeconds: number;
  /** Milliseconds until this window ends. */
  msUntilReset: number;
}

export function windowAt(nowMs: number, windowSeconds: number): WindowPosition {
  const windowMs = windowSeconds * 1000;
  const startMs = Math.floor(nowMs / windowMs) * windowMs;
  return { startSeconds: startMs / 1000, msUntilReset: startMs + windowMs - nowMs };
}

/** `rl:<tenantId|default>:<route>:<consumer or ip>:<window start>` (DESIGN §5). */
export function rateLimitKey(tenant: string, route: string, subject: string, windowStartSeconds: number): string {
  return `rl:${tenant}:${route}:${subject}:${windowStartSeconds}`;
}
