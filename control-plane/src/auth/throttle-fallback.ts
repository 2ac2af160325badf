// Login throttling that survives a Redis outage (issue 12, item 8): each hit goes to Redis (shared by every
// replica); when Redis fails, to this replica's memory instead, so /auth answers instead of 500. While Redis is
// down the limits count per replica (N replicas allow N times the attempts), which health.ts reports.
import type { RedisHealth } from '../redis/health.js';
import type { Throttle } from './throttle.js';

export function createFallbackThrottle(shared: Throttle, local: Throttle, health: RedisHealth): Throttle {
  return {
    async hit(key, rule) {
      let decision;
      try {
        decision = await shared.hit(key, rule);
      } catch (error) {
        health.failed('throttle', error);
        return local.hit(key, rule);
      }
      health.succeeded();
      return decision;
    },
  };
}
