// The control plane's Redis client, set to fail fast: while Redis is down or hung, a command fails within
// COMMAND_TIMEOUT_MS instead of waiting in ioredis's offline queue until Redis returns, so every user of Redis
// (login throttling, presence) can fall back at once (health.ts) and no request waits on it.
import { Redis } from 'ioredis';

/** A command Redis has not answered by then fails: a frozen Redis costs each caller this much at most. */
export const COMMAND_TIMEOUT_MS = 500;

export function createRedisClient(url: string, onError: (error: Error) => void): Redis {
  const redis = new Redis(url, {
    // No offline queue: while disconnected, commands fail at once instead of piling up in memory.
    enableOfflineQueue: false,
    commandTimeout: COMMAND_TIMEOUT_MS,
    connectTimeout: 2_000,
    maxRetriesPerRequest: 1,
    // Reconnect forever, at most every 2 s (a restarted Redis is back in use within that).
    retryStrategy: (attempt) => Math.min(attempt * 100, 2_000),
  });
  redis.on('error', onError);
  return redis;
}

/** Resolves true once `redis` is connected and ready, false if it is not within `timeoutMs`. */
export function redisReady(redis: Redis, timeoutMs: number): Promise<boolean> {
  if (redis.status === 'ready') return Promise.resolve(true);
  return new Promise((resolve) => {
    const onReady = () => {
      clearTimeout(timer);
      resolve(true);
    };
    const timer = setTimeout(() => {
      redis.off('ready', onReady);
      resolve(false);
    }, timeoutMs);
    redis.once('ready', onReady);
  });
}
