// A target's health as two pure state machines: passive (consecutive failed requests eject it for a time that
// doubles with each ejection, capped, never more than maxEjectionPercent of a service's targets at once) and
// active (probe results against healthy/unhealthy thresholds). The service pool owns the timers.

export interface PassiveRules {
  readonly consecutiveFailures: number;
  readonly ejectionMs: number;
  readonly maxEjectionPercent: number;
}

export interface ActiveRules {
  readonly healthyThreshold: number;
  readonly unhealthyThreshold: number;
}

/** The longest ejection: 5 minutes, or ejectionMs itself when that is longer. */
export const MAX_EJECTION_MS = 300_000;

export class TargetHealth {
  /** Failed requests in a row (passive). */
  consecutiveFailures = 0;
  /** Taken out by passive health until its ejection ends. */
  ejected = false;
  /** Ejections so far; resets once the target has stayed in for a full maximal ejection time. */
  timesEjected = 0;
  /** When the last ejection ended (ms, the pool's clock). */
  returnedAt = 0;
  /** Active health's verdict; a target starts healthy. */
  activeHealthy = true;
  /** Probe results in a row agreeing with each other: > 0 successes, < 0 failures. */
  probeStreak = 0;

  get healthy(): boolean {
    return this.activeHealthy && !this.ejected;
  }

  /** The state a new config's pool carries over for the same target. */
  copyFrom(other: TargetHealth): void {
    this.consecutiveFailures = other.consecutiveFailures;
    this.ejected = other.ejected;
    this.timesEjected = other.timesEjected;
    this.returnedAt = other.returnedAt;
    this.activeHealthy = other.activeHealthy;
    this.probeStreak = other.probeStreak;
  }
}

/** How long the `times`-th ejection lasts: ejectionMs × 2^(times-1), capped. */
export function ejectionDuration(rules: PassiveRules, times: number): number {
  const cap = Math.max(rules.ejectionMs, MAX_EJECTION_MS);
  return Math.min(cap, rules.ejectionMs * 2 ** Math.min(Math.max(times - 1, 0), 30));
}

/** How many of `total` targets may be ejected at once. */
export function ejectionBudget(rules: PassiveRules, total: number): number {
  return Math.floor((rules.maxEjectionPercent * total) / 100);
}

/**
 * A request to the target failed (connect error, reset, 502/503/504). Returns how long to eject it for, or 0
 * when it stays in (below the threshold, already ejected, or the ejection budget is used up).
 */
export function passiveFailure(health: TargetHealth, rules: PassiveRules, ejectedNow: number, total: number, now: number): number {
  health.consecutiveFailures++;
  if (health.ejected || health.consecutiveFailures < rules.consecutiveFailures) return 0;
  if (ejectedNow + 1 > ejectionBudget(rules, total)) return 0;
  const cap = Math.max(rules.ejectionMs, MAX_EJECTION_MS);
  if (health.timesEjected > 0 && now - health.returnedAt >= cap) health.timesEjected = 0;
  health.timesEjected++;
  health.ejected = true;
  health.consecutiveFailures = 0;
  return ejectionDuration(rules, health.timesEjected);
}

export function passiveSuccess(health: TargetHealth): void {
  health.consecutiveFailures = 0;
}

/** The ejection ended: the target takes traffic again (unless active health says otherwise). */
export function ejectionEnded(health: TargetHealth, now: number): void {
  health.ejected = false;
  health.returnedAt = now;
}

/** A probe's result; returns whether activeHealthy changed. */
export function probeResult(health: TargetHealth, rules: ActiveRules, ok: boolean): boolean {
  if (ok) health.probeStreak = health.probeStreak > 0 ? health.probeStreak + 1 : 1;
  else health.probeStreak = health.probeStreak < 0 ? health.probeStreak - 1 : -1;
  if (!health.activeHealthy && health.probeStreak >= rules.healthyThreshold) {
    health.activeHealthy = true;
    return true;
  }
  if (health.activeHealthy && -health.probeStreak >= rules.unhealthyThreshold) {
    health.activeHealthy = false;
    return true;
  }
  return false;
}
