// The connections to one resolved target address: an undici Pool (HTTP/1.1) or one HTTP/2 session (H2Origin),
// shared by every service pool whose target has the same key, across config versions and DNS re-resolutions.
// Counted references: the last pool to let go closes it.
import { Client, Pool } from 'undici';
import { H2Origin } from '../proxy/h2-origin.js';
import type { UpstreamTlsOptions } from './upstream-tls.js';

export interface ConnectionSpec {
  /** scheme://address:port, the address already resolved (or the configured host when it is not). */
  readonly origin: string;
  /** SNI and verification name: tls.serverName, else the configured host name (never an IP literal). */
  readonly servername: string | undefined;
  readonly connectTimeoutMs: number;
  readonly http2: boolean;
  /** Connections to this address at most (circuitBreaker.maxConnections spread over the targets); null: no cap. */
  readonly connections: number | null;
  readonly tls: UpstreamTlsOptions | undefined;
}

export function connectionKey(spec: ConnectionSpec): string {
  return `${spec.origin}|${spec.servername ?? ''}|${spec.connectTimeoutMs}|${spec.http2 ? 'h2' : 'h1'}|${spec.connections ?? ''}|${spec.tls?.fingerprint ?? ''}`;
}

export class TargetConnection {
  private refs = 1;
  readonly key: string;
  /** HTTP/1.1 connections (absent for http2 services). */
  readonly pool: Pool | undefined;
  readonly h2: H2Origin | undefined;
  /** Active health's own connection, opened at the first probe: probes never queue behind client traffic. */
  private probeClient: Client | undefined;
  private probeSession: H2Origin | undefined;
  private readonly tlsOptions: Record<string, unknown>;

  constructor(readonly spec: ConnectionSpec) {
    this.key = connectionKey(spec);
    const secure = spec.origin.startsWith('https:');
    const tls = secure
      ? {
          ...(spec.tls?.ca === undefined ? {} : { ca: spec.tls.ca }),
          ...(spec.tls?.cert === undefined ? {} : { cert: spec.tls.cert, key: spec.tls.key }),
          ...(spec.servername === undefined ? {} : { servername: spec.servername }),
          rejectUnauthorized: spec.tls?.rejectUnauthorized ?? true,
          minVersion: 'TLSv1.2' as const,
        }
      : {};
    this.tlsOptions = tls;
    if (spec.http2) {
      this.pool = undefined;
      this.h2 = new H2Origin(spec.origin, spec.connectTimeoutMs, tls);
    } else {
      this.h2 = undefined;
      this.pool = new Pool(spec.origin, {
        connect: { timeout: spec.connectTimeoutMs, ...tls },
        connections: spec.connections,
        keepAliveTimeout: 4_000,
        keepAliveMaxTimeout: 60_000,
      });
    }
  }

  /**
   * The connection probes use: one HTTP/1.1 connection (a Client) or an HTTP/2 session of their own, apart from
   * the pool and session that carry requests, so a circuit breaker's connection cap or a full stream limit never
   * makes a busy, healthy target fail its probes.
   */
  probe(): { readonly client: Client; readonly h2?: undefined } | { readonly client?: undefined; readonly h2: H2Origin } {
    if (this.spec.http2) {
      this.probeSession ??= new H2Origin(this.spec.origin, this.spec.connectTimeoutMs, this.tlsOptions);
      return { h2: this.probeSession };
    }
    this.probeClient ??= new Client(this.spec.origin, { connect: { timeout: this.spec.connectTimeoutMs, ...this.tlsOptions }, keepAliveTimeout: 4_000, keepAliveMaxTimeout: 60_000 });
    return { client: this.probeClient };
  }

  acquire(): this {
    this.refs++;
    return this;
  }

  /** Drops one reference; the last closes the connections gracefully (requests in flight finish). */
  release(): Promise<void> {
    if (--this.refs > 0) return Promise.resolve();
    return Promise.all([this.pool?.close().catch(() => undefined), this.h2?.close(), this.probeClient?.close().catch(() => undefined), this.probeSession?.close()]).then(() => undefined);
  }

  get released(): boolean {
    return this.refs <= 0;
  }
}
