// One upstream service: a keep-alive undici pool, its base path and its timeouts. Pools are reused across
// config versions when the service's URL and connect timeout did not change.
import { Pool } from 'undici';
import type { ServiceConfig } from '../config/index.js';

export interface UpstreamService {
  readonly name: string;
  readonly url: URL;
  /** The service URL's path without trailing '/', '' for the root. */
  readonly basePath: string;
  readonly timeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly retries: number;
  readonly pool: Pool;
  /** Identity of the pool: services with equal keys share it across config versions. */
  readonly poolKey: string;
}

export function poolKeyOf(service: ServiceConfig): string {
  return `${new URL(service.url).origin}|${service.connectTimeoutMs}`;
}

export function createUpstreamService(service: ServiceConfig, existingPool?: Pool): UpstreamService {
  const url = new URL(service.url);
  const pool =
    existingPool ??
    new Pool(url.origin, {
      connect: { timeout: service.connectTimeoutMs },
      keepAliveTimeout: 4_000,
      keepAliveMaxTimeout: 60_000,
    });
  return {
    name: service.name,
    url,
    basePath: url.pathname.replace(/\/+$/, ''),
    timeoutMs: service.timeoutMs,
    connectTimeoutMs: service.connectTimeoutMs,
    retries: service.retries,
    pool,
    poolKey: poolKeyOf(service),
  };
}

/** The path sent upstream: the service's base path joined with the (normalised, maybe stripped) request path. */
export function upstreamPath(basePath: string, path: string, query: string): string {
  return `${basePath}${path}${query}`;
}
