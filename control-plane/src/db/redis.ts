// Connects the control plane to Redis (presence, login throttling). `rediss://` speaks TLS and verifies the
// server's certificate (REDIS_CA_FILE, or Node's CAs, and the URL's hostname); a CA or client certificate
// beside a plaintext redis:// URL is refused rather than silently unused.
import { Redis, type RedisOptions } from 'ioredis';

/** PEM text: the CA that signed the server's certificate, and an optional client certificate and key. */
export interface RedisTls {
  ca?: string;
  cert?: string;
  key?: string;
}

export function createRedisClient(url: string, tls: RedisTls | undefined, options: RedisOptions = {}): Redis {
  const secure = new URL(url).protocol === 'rediss:';
  if (!secure && tls !== undefined) throw new Error('a Redis CA or client certificate needs a rediss:// URL');
  return new Redis(url, secure ? { ...options, tls: { ...tls, rejectUnauthorized: true } } : options);
}
