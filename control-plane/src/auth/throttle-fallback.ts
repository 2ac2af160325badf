// Login throttling that survives a Redis outage (issue 12, item 8): each call goes to Redis (shared by every
// replica); when Redis fails, to this replica's memory instead, so /auth answers instead of 500. While Redis is
// down the limits count per replica (N replicas allow N times the attempts), which health.ts reports.
import type { RedisHealth } from '../redis/health.js';
import type { Throttle } from './throttle.js';

export function createFallbackThrottle(shared: Throttle, local: Throttle, health: RedisHealth): Throttle {
  /** Runs one throttle call on Redis, or on this replica's memory when Redis fails. */
  async function either<T>(call: (throttle: Throttle) => Promise<T>): Promise<T> {
    let result: T;
    try {
      result = await call(shared);
    } catch (error) {
      health.failed('throttle', error);
      return call(local);
    }
    health.succeeded();
    return result;
  }
  return {
    hit: (key, rule) => either((throttle) => throttle.hit(key, rule)),
    peek: (key, rule) => either((throttle) => throttle.peek(key, rule)),
    startCooldown: (key, ms) => either((throttle) => throttle.startCooldown(key, ms)),
    cooldownMs: (key) => either((throttle) => throttle.cooldownMs(key)),
  };
}
