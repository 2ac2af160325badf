// Keeps the last good config outside the process (DESIGN §5): Redis `cfg:<tenantId>` (`cfg:default` in
// standalone mode) and/or CONFIG_CACHE_FILE with mode 0600. It holds no plaintext secret: consumer keys are hashes.
import { chmodSync, renameSync, writeFileSync } from 'node:fs';
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
