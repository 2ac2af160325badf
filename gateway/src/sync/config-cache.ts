// Keeps the last good config outside the process (DESIGN §5): Redis `cfg:<tenantId>` (`cfg:default` in
// standalone mode) and/or CONFIG_CACHE_FILE with mode 0600, each entry sealed (config-cache-seal.ts) so that
// write access to either is not enough to make a gateway serve a config of the attacker's choosing.
import { chmodSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { RespClient } from '../redis/resp-client.js';
import type { GatewayConfig } from '../config/index.js';
import { openConfigCacheEntry, sealConfigCacheEntry, type ConfigCacheKey, type ConfigCacheRejection } from './config-cache-seal.js';

export interface CachedConfig {
  tenant: string;
  version: number;
  hash: string;
  config: GatewayConfig;
}

/** A cache read: nothing there, a usable entry, or an entry refused and why. */
export type CacheRead = { found: false } | { found: true; entry: CachedConfig } | { found: true; rejected: ConfigCacheRejection };

/** The place bound into a file entry's additional data (a Redis entry is bound to its key). */
const FILE_PLACE = 'file';

export function configCacheRedisKey(tenant: string): string {
  return `cfg:${tenant}`;
}

export function writeConfigCacheFile(path: string, key: ConfigCacheKey, entry: CachedConfig): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, sealConfigCacheEntry(key, { tenant: entry.tenant, place: FILE_PLACE }, JSON.stringify(entry)), { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, path);
}

export async function writeConfigCacheRedis(redis: RespClient, key: ConfigCacheKey, entry: CachedConfig): Promise<void> {
  const name = configCacheRedisKey(entry.tenant);
  const reply = await redis.command(['SET', name, sealConfigCacheEntry(key, { tenant: entry.tenant, place: name }, JSON.stringify(entry))]);
  if (reply instanceof Error) throw reply;
}

/** Opens a raw entry for `tenant`; the tenant inside is checked too, though the additional data already binds it. */
function parseCacheEntry(raw: string, key: ConfigCacheKey, tenant: string, place: string): CacheRead {
  const opened = openConfigCacheEntry(key, { tenant, place }, raw);
  if (!opened.ok) return { found: true, rejected: opened.reason };
  try {
    const entry = JSON.parse(opened.plaintext) as Partial<CachedConfig>;
    if (entry.tenant !== tenant) return { found: true, rejected: 'wrong_tenant' };
    if (typeof entry.version !== 'number' || typeof entry.hash !== 'string') return { found: true, rejected: 'malformed' };
    return { found: true, entry: entry as CachedConfig };
  } catch {
    return { found: true, rejected: 'malformed' };
  }
}

export function readConfigCacheFile(path: string, key: ConfigCacheKey, tenant: string): CacheRead {
  let raw: string;
  try {
    raw = readFileSync(path, 'utf8');
  } catch {
    return { found: false };
  }
  return parseCacheEntry(raw, key, tenant, FILE_PLACE);
}

export async function readConfigCacheRedis(redis: RespClient, key: ConfigCacheKey, tenant: string): Promise<CacheRead> {
  const name = configCacheRedisKey(tenant);
  const reply = await redis.command(['GET', name]);
  if (reply instanceof Error) throw reply;
  return typeof reply === 'string' ? parseCacheEntry(reply, key, tenant, name) : { found: false };
}
