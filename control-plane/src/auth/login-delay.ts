// The per-email login delay (issue 12, item 9): after each failed login for an email, the next attempt for that
// email waits a little longer before its password is checked, doubling up to a cap of a few seconds. Every
// attempt waits and is then checked, so a correct password always gets in: an attacker spraying from many
// addresses is slowed, never able to lock the owner out (a lockout counter per email would let him).
export interface LoginDelayPolicy {
  /** Delay after the first failure, in ms; doubles with each further failure. */
  baseMs: number;
  /** The delay never grows past this. */
  capMs: number;
  /** Failures of an email are counted over this window (a quiet email starts again from no delay). */
  windowSeconds: number;
}

/** The cooldown to start after the `failures`-th recent failure of an email. */
export function loginDelayMs(failures: number, policy: LoginDelayPolicy): number {
  if (failures <= 0 || policy.baseMs <= 0) return 0;
  // 2 ** 30 is already past any sane cap; bounding the exponent keeps the arithmetic finite.
  return Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(failures - 1, 30));
}
