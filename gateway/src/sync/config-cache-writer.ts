// Writes every applied config to the config cache (DESIGN §5): CONFIG_CACHE_FILE and/or Redis `cfg:<tenant>`,
// sealed under the cache key. A failed write is logged; the config serves all the same.
import type { Logger } from '../telemetry/logger.js';
import type { RespClient } from '../redis/resp-client.js';
import { writeConfigCacheFile, writeConfigCacheRedis, type CachedConfig } from './config-cache.js';
import type { ConfigCacheKey } from './config-cache-seal.js';

export interface ConfigCacheWriterOptions {
  key: ConfigCacheKey;
  file: string | undefined;
  /** Redis, when this process writes the Redis entry (one worker of a cluster does, for all of them). */
  redis: RespClient | undefined;
  logger: Logger;
}

/** Returns the function that writes one applied config to every configured place. */
export function createConfigCacheWriter(options: ConfigCacheWriterOptions): (entry: CachedConfig) => void {
  const { key, file, redis, logger } = options;
  return (entry) => {
    if (file !== undefined) {
      try {
        writeConfigCacheFile(file, key, entry);
      } catch (error) {
        logger.warn('cannot write CONFIG_CACHE_FILE', { error: (error as { code?: string }).code ?? 'unknown' });
      }
    }
    if (redis !== undefined) {
      writeConfigCacheRedis(redis, key, entry).catch(() => logger.warn('cannot write the config cache to Redis'));
    }
  };
}
