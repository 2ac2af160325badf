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

/**
 * The delay after the control plane said retrying soon is pointless (this node id was replaced by another
 * connection, or the plan has no free gateway slot): at the cap, with "equal jitter" (between half the cap and
 * the cap), so two gateways sharing a node id take turns every 15-30 s instead of pushing each other off.
 */
export function cappedDelay({ capMs, random = Math.random }: BackoffOptions): number {
  return Math.floor(capMs / 2 + random() * (capMs / 2));
}
