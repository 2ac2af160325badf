// The Redis connection of the rate limiter, set up so that a dead Redis never holds a request: no offline
// queue, no resend after a reconnect, and a bound on every command; it reconnects on its own.
import { Redis } from 'ioredis';

export const REDIS_COMMAND_TIMEOUT_MS = 500;

export function connectRateLimitRedis(redisUrl: string, onError: (error: Error) => void): Redis {
  const redis = new Redis(redisUrl, {
    enableOfflineQueue: false,
    autoResendUnfulfilledCommands: false,
    maxRetriesPerRequest: 0,
    commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
    enableAutoPipelining: true,
    retryStrategy: (attempt) => Math.min(attempt * 100, 1_000),
  });
  redis.on('error', onError);
  return redis;
}
