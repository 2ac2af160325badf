// Control-plane mode (CONTROL_PLANE_URL): the WebSocket client feeds the config store, the telemetry shipper
// sends request logs and error events, and when the control plane cannot be reached at start-up the gateway
// boots from its cached last good config (Redis `cfg:<tenantId>` or CONFIG_CACHE_FILE), only if that cache
// belongs to the tenant of its API key and opens under the key derived from it (a refused entry is logged,
// counted, and never served: the gateway waits for the control plane instead).
import type { RespClient } from '../redis/resp-client.js';
import { readConfigCacheFile, readConfigCacheRedis, type CacheRead, type CachedConfig } from './config-cache.js';
import type { ConfigCacheKey, ConfigCacheRejection } from './config-cache-seal.js';
import { startControlPlaneClient, type ControlPlaneClient, type ControlPlaneClientOptions } from './control-plane-client.js';
import { createTelemetryShipper, type TelemetryShipper } from './telemetry-shipper.js';

const TELEMETRY_FLUSH_MS = 1_000;

export interface ControlPlaneSourceOptions
  extends Pick<
    ControlPlaneClientOptions,
    'url' | 'apiKey' | 'ca' | 'nodeId' | 'softwareVersion' | 'maxConfigBytes' | 'store' | 'logger' | 'backoff' | 'onConnectedChange' | 'onConfigHandled'
  > {
  tenantId: string;
  redis?: RespClient;
  cacheFile?: string;
  /** Opens the cache; derived from the API key (deriveConfigCacheKey). */
  cacheKey: ConfigCacheKey;
  /** A cache entry was refused (counted in novagate_config_cache_rejected_total). */
  onCacheRejected(reason: ConfigCacheRejection): void;
  /** How long to wait for the control plane's first config before booting from the cache. */
  bootWaitMs?: number;
  onLogEntriesDropped(count: number): void;
}

export interface ControlPlaneSource {
  client: ControlPlaneClient;
  shipper: TelemetryShipper;
  /** Resolves once a config is in use (from the control plane or the cache); never rejects. */
  booted: Promise<'control-plane' | 'cache' | 'none'>;
  close(): Promise<void>;
}

/** The entry if usable; a refused one gets its log line and metric, and the next place is tried. */
function usable(read: CacheRead, where: string, options: ControlPlaneSourceOptions): CachedConfig | null {
  if (!read.found) return null;
  if ('entry' in read) return read.entry;
  options.onCacheRejected(read.rejected);
  options.logger.error('refusing the cached config: it is not sealed under this gateway key or was altered', { cache: where, reason: read.rejected });
  return null;
}

async function readCache(options: ControlPlaneSourceOptions): Promise<CachedConfig | null> {
  if (options.redis !== undefined) {
    try {
      const cached = usable(await readConfigCacheRedis(options.redis, options.cacheKey, options.tenantId), 'redis', options);
      if (cached !== null) return cached;
    } catch (error) {
      options.logger.warn('cannot read the config cache from Redis', { error: error instanceof Error ? error.message : 'unknown' });
    }
  }
  return options.cacheFile === undefined ? null : usable(readConfigCacheFile(options.cacheFile, options.cacheKey, options.tenantId), 'file', options);
}

export function startControlPlaneSource(options: ControlPlaneSourceOptions): ControlPlaneSource {
  let firstConfig: (() => void) | undefined;
  const gotFirstConfig = new Promise<void>((resolve) => (firstConfig = resolve));
  const client = startControlPlaneClient({
    ...options,
    onConfigHandled: (result) => {
      if (result.applied) firstConfig?.();
      options.onConfigHandled?.(result);
    },
  });
  const shipper = createTelemetryShipper({
    send: (message) => client.send(message),
    onDropped: options.onLogEntriesDropped,
    serviceOfRoute: (route) => options.store.current()?.config.routes.find((r) => r.name === route)?.service,
  });
  const flushTimer = setInterval(() => shipper.flush(), TELEMETRY_FLUSH_MS);
  flushTimer.unref();

  const booted = (async (): Promise<'control-plane' | 'cache' | 'none'> => {
    const waited = await Promise.race([
      gotFirstConfig.then(() => 'config' as const),
      new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), options.bootWaitMs ?? 3_000).unref()),
    ]);
    if (waited === 'config' || options.store.current() !== undefined) return 'control-plane';
    const cached = await readCache(options);
    if (options.store.current() !== undefined) return 'control-plane';
    if (cached === null) {
      options.logger.warn('the control plane is unreachable and no usable cached config exists for this tenant; waiting');
      return 'none';
    }
    const result = await options.store.apply(cached.config, cached.version);
    if (!result.ok) {
      options.logger.error('the cached config is invalid; waiting for the control plane');
      return 'none';
    }
    options.logger.warn('serving the cached config until the control plane is reachable', { version: cached.version });
    return 'cache';
  })();

  return {
    client,
    shipper,
    booted,
    async close() {
      clearInterval(flushTimer);
      shipper.flush();
      await client.close();
    },
  };
}
