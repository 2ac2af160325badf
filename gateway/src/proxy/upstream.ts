// One upstream service as the hot path sees it: its timeouts and protocol, and its pool of targets
// (upstream/service-pool.ts) that picks a target per attempt. Connections are reused across config versions
// for targets whose address, connect timeout, protocol, connection cap and TLS settings did not change.
import type { ServiceConfig } from '../config/index.js';
import { ServicePool, type ServicePoolOptions } from '../upstream/service-pool.js';

export interface UpstreamService {
  readonly name: string;
  /** The first target's URL (WebSocket upgrades connect there); a placeholder for `targets: []`. */
  readonly url: URL;
  /** The first target's path without trailing '/', '' for the root; each attempt uses its own target's. */
  readonly basePath: string;
  readonly timeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly retries: number;
  /** The service speaks HTTP/2 upstream (`http2: true`): its targets hold HTTP/2 sessions instead of pools. */
  readonly http2: boolean;
  readonly pool: ServicePool;
}

export function createUpstreamService(service: ServiceConfig, options: Omit<ServicePoolOptions, 'service'>): UpstreamService {
  const first = service.targets?.[0]?.url ?? service.url;
  const url = new URL(first ?? 'http://127.0.0.1:9');
  return {
    name: service.name,
    url,
    basePath: url.pathname.replace(/\/+$/, ''),
    timeoutMs: service.timeoutMs,
    connectTimeoutMs: service.connectTimeoutMs,
    retries: service.retries,
    http2: service.http2 === true,
    pool: new ServicePool({ ...options, service }),
  };
}

/** The path sent upstream: the service's base path joined with the (normalised, maybe stripped) request path. */
export function upstreamPath(basePath: string, path: string, query: string): string {
  return `${basePath}${path}${query}`;
}

/** The path for `target` when its base path differs from the one `path` was built with (the first target's). */
export function pathForTarget(path: string, serviceBasePath: string, targetBasePath: string): string {
  return targetBasePath === serviceBasePath ? path : `${targetBasePath}${path.slice(serviceBasePath.length)}`;
}
