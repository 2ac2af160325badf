// Keeps the last good config outside the process (DESIGN §5): Redis `cfg:<tenantId>` (`cfg:default` in
// standalone mode) and/or CONFIG_CACHE_FILE with mode 0600. It holds no plaintext secret: consumer keys are hashes.
import { chmodSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { RespClient } from '../policies/rate-limit/resp-client.js';
import type { GatewayConfig } from '../config/index.js';

export interface CachedConfig {
  tenant: string;
  version: number;
  hash: string;
  config: GatewayConfig;
}

export function writeConfigCacheFile(path: string, entry: CachedConfig): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify(entry), { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, path);
}

export async function writeConfigCacheRedis(redis: RespClient, entry: CachedConfig): Promise<void> {
  const reply = await redis.command(['SET', `cfg:${entry.tenant}`, JSON.stringify(entry)]);
  if (reply instanceof Error) throw reply;
}

/** A cached entry for `tenant`, or null when there is none, it is unreadable, or it belongs to another tenant. */
function parseCacheEntry(raw: string | null, tenant: string): CachedConfig | null {
  if (raw === null) return null;
  try {
    const entry = JSON.parse(raw) as Partial<CachedConfig>;
    if (entry.tenant !== tenant || typeof entry.version !== 'number' || typeof entry.hash !== 'string') return null;
    return entry as CachedConfig;
  } catch {
    return null;
  }
}

export function readConfigCacheFile(path: string, tenant: string): CachedConfig | null {
  try {
    return parseCacheEntry(readFileSync(path, 'utf8'), tenant);
  } catch {
    return null;
  }
}

export async function readConfigCacheRedis(redis: RespClient, tenant: string): Promise<CachedConfig | null> {
  const reply = await redis.command(['GET', `cfg:${tenant}`]);
  if (reply instanceof Error) throw reply;
  return parseCacheEntry(typeof reply === 'string' ? reply : null, tenant);
}
