// One upstream service: a keep-alive undici pool (or, with `http2: true`, an HTTP/2 session per origin), its
// base path and its timeouts. Pools are reused across config versions when the service's URL, connect timeout
// and protocol did not change.
import { Pool } from 'undici';
import { serviceTargets, type ServiceConfig } from '../config/index.js';
import { H2Origin } from './h2-origin.js';

export interface UpstreamService {
  readonly name: string;
  readonly url: URL;
  /** The service URL's path without trailing '/', '' for the root. */
  readonly basePath: string;
  readonly timeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly retries: number;
  readonly pool: Pool;
  /** Set when the service speaks HTTP/2 upstream (`http2: true`): requests go there instead of `pool`. */
  readonly h2: H2Origin | undefined;
  /** Identity of the pool: services with equal keys share it across config versions. */
  readonly poolKey: string;
}

/** Until upstream pools land (issue 16): the first target. */
function firstTargetUrl(service: ServiceConfig): string {
  return serviceTargets(service)[0]?.url ?? 'http://127.0.0.1:9';
}

export function poolKeyOf(service: ServiceConfig): string {
  return `${new URL(firstTargetUrl(service)).origin}|${service.connectTimeoutMs}${service.http2 === true ? '|h2' : ''}`;
}

/** What a service keeps across config versions while its pool key stays the same. */
export interface UpstreamConnections {
  pool: Pool;
  h2: H2Origin | undefined;
}

export function createUpstreamService(service: ServiceConfig, existing?: UpstreamConnections): UpstreamService {
  const url = new URL(firstTargetUrl(service));
  const existingPool = existing?.pool;
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
    h2: service.http2 === true ? (existing?.h2 ?? new H2Origin(url.origin, service.connectTimeoutMs)) : undefined,
    poolKey: poolKeyOf(service),
  };
}

/** The path sent upstream: the service's base path joined with the (normalised, maybe stripped) request path. */
export function upstreamPath(basePath: string, path: string, query: string): string {
  return `${basePath}${path}${query}`;
}

/** Closes what a service no longer used holds open. */
export function closeConnections(connections: UpstreamConnections): void {
  void connections.pool.close().catch(() => undefined);
  void connections.h2?.close();
}
