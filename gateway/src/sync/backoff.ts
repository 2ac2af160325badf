// Reconnect delays: exponential backoff with full jitter (DESIGN §6: cap 30 s), as in the AWS architecture
// blog's "full jitter": a uniformly random delay between zero and the capped exponential.

export interface BackoffOptions {
  baseMs: number;
  capMs: number;
  random?: () => number;
}

export function fullJitterDelay(attempt: number, { baseMs, capMs, random = Math.random }: BackoffOptions): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}
