// The control plane's Redis client (presence, login throttling), set to fail fast: while Redis is down or hung, a
// command fails within COMMAND_TIMEOUT_MS instead of waiting in ioredis's offline queue until Redis returns, so every
// user of Redis can fall back at once (health.ts) and no request waits on it. `rediss://` speaks TLS and verifies the
// server's certificate (REDIS_CA_FILE, or Node's CAs, and the URL's hostname); a CA or client certificate beside a
// plaintext redis:// URL is refused rather than silently unused.
import { Redis, type RedisOptions } from 'ioredis';

/** A command Redis has not answered by then fails: a frozen Redis costs each caller this much at most. */
export const COMMAND_TIMEOUT_MS = 500;

/** PEM text: the CA that signed the server's certificate, and an optional client certificate and key. */
export interface RedisTls {
  ca?: string;
  cert?: string;
  key?: string;
}

export function createRedisClient(url: string, tls: RedisTls | undefined, onError: (error: Error) => void): Redis {
  const secure = new URL(url).protocol === 'rediss:';
  if (!secure && tls !== undefined) throw new Error('a Redis CA or client certificate needs a rediss:// URL');
  const options: RedisOptions = {
    // No offline queue: while disconnected, commands fail at once instead of piling up in memory.
    enableOfflineQueue: false,
    commandTimeout: COMMAND_TIMEOUT_MS,
    connectTimeout: 2_000,
    maxRetriesPerRequest: 1,
    // Reconnect forever, at most every 2 s (a restarted Redis is back in use within that).
    retryStrategy: (attempt) => Math.min(attempt * 100, 2_000),
  };
  const redis = new Redis(url, secure ? { ...options, tls: { ...tls, rejectUnauthorized: true } } : options);
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
